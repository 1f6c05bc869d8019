import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registerRecordFromItems } from '../../src/domain/register-records.ts';
import type { RegisterRecord, RegType } from '../../src/domain/registers.ts';

function fixture(name: string): unknown[] {
  return JSON.parse(readFileSync(new URL(`../fixtures/apify/${name}.json`, import.meta.url), 'utf8'));
}

describe('registerRecordFromItems over Apify fixtures', () => {
  it.each<[string, RegType, string, Omit<RegisterRecord, 'regType'>]>([
    [
      'gmc-licensed',
      'GMC',
      '6143219',
      {
        regNo: '6143219',
        fullName: 'Jane Ann Doe',
        statusText: 'Registered with a licence to practise',
        standing: 'REGISTERED',
        restrictions: [],
      },
    ],
    [
      'gmc-licensed',
      'GMC',
      '7012345',
      {
        regNo: '7012345',
        fullName: 'John Andrew Doe',
        statusText: 'Registered with a licence to practise',
        standing: 'REGISTERED',
        restrictions: [],
      },
    ],
    [
      'gmc-seed-raw',
      'GMC',
      '6143219',
      { regNo: '6143219', fullName: 'JANE ANN DOE', statusText: 'Licensed', standing: 'REGISTERED', restrictions: [] },
    ],
    [
      'gmc-suspended',
      'GMC',
      '4521876',
      {
        regNo: '4521876',
        fullName: 'Robert James Smith',
        statusText: 'Suspended',
        standing: 'SUSPENDED',
        restrictions: [],
      },
    ],
    [
      'gmc-no-licence',
      'GMC',
      '6251907',
      {
        regNo: '6251907',
        fullName: 'Priya Kaur Patel',
        statusText: 'Registered without a licence to practise',
        standing: 'NOT_LICENSED',
        restrictions: [],
      },
    ],
    [
      'gmc-undertakings',
      'GMC',
      '5198734',
      {
        regNo: '5198734',
        fullName: 'Thomas Edward Hughes',
        statusText: 'Registered with a licence to practise',
        standing: 'REGISTERED_WITH_RESTRICTIONS',
        restrictions: ['Must not carry out out-of-hours home visits unsupervised'],
      },
    ],
    [
      'gmc-erased',
      'GMC',
      '3312456',
      {
        regNo: '3312456',
        fullName: 'Alan Peter Grey',
        statusText: 'Not registered - Erased for administrative reasons',
        standing: 'REMOVED',
        restrictions: [],
      },
    ],
    [
      'nmc-registered',
      'NMC',
      '01A2345N',
      {
        regNo: '01A2345N',
        fullName: 'Jane Ann Doe',
        statusText: 'Registered',
        standing: 'REGISTERED',
        restrictions: [],
      },
    ],
    [
      'nmc-conditions',
      'NMC',
      '09I1234E',
      {
        regNo: '09I1234E',
        fullName: 'Mary Elizabeth Jones',
        statusText: 'Registered',
        standing: 'REGISTERED_WITH_RESTRICTIONS',
        restrictions: ['Conditions of practice order'],
      },
    ],
    [
      'nmc-lapsed',
      'NMC',
      '87Y0456E',
      { regNo: '87Y0456E', fullName: 'Susan Clarke', statusText: 'Lapsed', standing: 'NOT_LICENSED', restrictions: [] },
    ],
    [
      'nmc-interim-suspension',
      'NMC',
      '12C3456O',
      {
        regNo: '12C3456O',
        fullName: 'Daniel Okafor',
        statusText: 'Registered',
        standing: 'REGISTERED_WITH_RESTRICTIONS',
        restrictions: ['Interim suspension order'],
      },
    ],
    [
      'nmc-interim-suspension',
      'NMC',
      '12c 3457o',
      {
        regNo: '12C3457O',
        fullName: 'Grace Okafor',
        statusText: 'Interim suspension order',
        standing: 'SUSPENDED',
        restrictions: [],
      },
    ],
    [
      'gdc-registered',
      'GDC',
      '81234',
      { regNo: '81234', fullName: 'Aisha Rahman', statusText: 'Registered', standing: 'REGISTERED', restrictions: [] },
    ],
    [
      'gdc-warning',
      'GDC',
      '65432',
      {
        regNo: '65432',
        fullName: 'Peter Lewis',
        statusText: 'Registered with a warning',
        standing: 'REGISTERED_WITH_RESTRICTIONS',
        restrictions: [],
      },
    ],
    [
      'gdc-erased',
      'GDC',
      '54321',
      { regNo: '54321', fullName: 'Michael Brown', statusText: 'Erased', standing: 'REMOVED', restrictions: [] },
    ],
    [
      'gpc-prescriber',
      'GPC',
      '2071234',
      {
        regNo: '2071234',
        fullName: 'Sarah Louise Ahmed',
        statusText: 'Registered',
        standing: 'REGISTERED',
        restrictions: [],
        renewalDate: '2026-11-30',
      },
    ],
    [
      'gpc-ftp-conditions',
      'GPC',
      '2045678',
      {
        regNo: '2045678',
        fullName: 'Kevin Walsh',
        statusText: 'Registered',
        standing: 'REGISTERED_WITH_RESTRICTIONS',
        restrictions: ['Fitness to practise history shown on the register'],
      },
    ],
    [
      'gpc-removed',
      'GPC',
      '5012345',
      { regNo: '5012345', fullName: 'Linda Moore', statusText: 'Removed', standing: 'REMOVED', restrictions: [] },
    ],
  ])('%s, %s %s', (name, regType, regNo, expected) => {
    expect(registerRecordFromItems(regType, regNo, fixture(name))).toEqual({ regType, ...expected });
  });

  const notFound = (regType: RegType, regNo: string): RegisterRecord => ({
    regType,
    regNo,
    fullName: null,
    statusText: 'Not found',
    standing: 'NOT_FOUND',
    restrictions: [],
  });

  it.each<[string, RegType, string, unknown[]]>([
    ['an empty dataset', 'GMC', '6143219', []],
    ['a dataset of other people', 'GMC', '6143219', fixture('gmc-suspended')],
    ['items that fail validation, skipped', 'GMC', '6143219', fixture('gmc-malformed')],
    ['a GMC item read with the NMC contract', 'NMC', '6143219', fixture('gmc-licensed')],
    ['non-objects', 'GDC', '81234', [null, 42, 'Registered', [{ registrationNumber: '81234' }]]],
  ])('gives NOT_FOUND for %s', (_, regType, regNo, items) => {
    expect(registerRecordFromItems(regType, regNo, items)).toEqual(notFound(regType, regNo));
  });

  it('still reads the valid item among malformed ones', () => {
    expect(registerRecordFromItems('GMC', '7777777', fixture('gmc-malformed'))).toMatchObject({
      fullName: 'Someone Else',
      standing: 'REGISTERED',
    });
  });

  it.each([
    ['a numeric reference number', { fullName: 'Jane Ann Doe', gmcNumber: 6143219, status: 'Licensed' }, 'REGISTERED'],
    [
      'a licence column saying yes',
      { name: 'Jane Ann Doe', referenceNumber: '6143219', status: 'Registered', licenceStatus: 'Yes' },
      'REGISTERED',
    ],
    [
      'a licence column saying neither',
      { name: 'Jane Ann Doe', referenceNumber: '6143219', status: 'Registered', licence: 'Unknown' },
      'REGISTERED_WITH_RESTRICTIONS',
    ],
    [
      'warnings as one string',
      { name: 'Jane Ann Doe', reg_no: '6143219', status: 'Licensed', warnings: 'Warning issued 2023-04-01' },
      'REGISTERED_WITH_RESTRICTIONS',
    ],
  ])('reads a GMC item with %s', (_, item, standing) => {
    expect(registerRecordFromItems('GMC', '6143219', [item]).standing).toBe(standing);
  });
});
