/** Where a person can see a registration on the register's own public site, for CS to compare with the scrape. */
import type { RegType } from './registers.ts';

/**
 * The GMC and GDC pages open the entry itself; the NMC and GPhC search pages cannot be linked per number, so CS
 * enters it there.
 */
export function registerPublicPage(regType: RegType, regNo: string): string {
  const number = encodeURIComponent(regNo.trim());
  switch (regType) {
    case 'GMC':
      return `https://www.gmc-uk.org/registrants/${number}`;
    case 'GDC':
      return `https://olr.gdc-uk.org/SearchRegister/SearchResult?RegistrationNumber=${number}`;
    case 'NMC':
      return 'https://www.nmc.org.uk/registration/search-the-register/';
    case 'GPC':
      return 'https://www.pharmacyregulation.org/registers';
  }
}
