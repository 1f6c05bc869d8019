import { describe, expect, it } from 'vitest';
import { fullNameOf, matchNames, nameTokens, toLatinUpperCase } from '../../src/domain/names.ts';
import type { NameMatch } from '../../src/domain/outcomes.ts';

describe('nameTokens', () => {
  it.each([
    ['Jane Ann Doe', ['JANE', 'ANN', 'DOE']],
    ['  jane   ann  DOE ', ['JANE', 'ANN', 'DOE']],
    ['DOE, Jane Ann', ['JANE', 'ANN', 'DOE']],
    ['DOE, Dr Jane Ann', ['JANE', 'ANN', 'DOE']],
    ['Dr. Jane Ann Doe', ['JANE', 'ANN', 'DOE']],
    ['Prof Sir John Smith', ['JOHN', 'SMITH']],
    ['Jane Ann Doe MBBS FRCP', ['JANE', 'ANN', 'DOE']],
    ['Jane Ann Doe, MB BS, MRCGP', ['JANE', 'ANN', 'DOE']],
    ['SMITH-JONES, Mary', ['MARY', 'SMITH', 'JONES']],
    ["Siobhán O'Brien", ['SIOBHAN', 'OBRIEN']],
    ['Zoë Brontë', ['ZOE', 'BRONTE']],
    ['Søren Kierkegaard', ['SOEREN', 'KIERKEGAARD']],
    ['Mr Lord', ['LORD']],
    ['Ma Bao', ['MA', 'BAO']],
    ['MD Abdul Rahman', ['MD', 'ABDUL', 'RAHMAN']],
    ['', []],
    ['Dr', ['DR']],
  ])('%s', (name, tokens) => {
    expect(nameTokens(name)).toEqual(tokens);
  });
});

describe('matchNames', () => {
  it.each<[string, string, NameMatch]>([
    ['JANE ANN DOE', 'Jane Ann Doe', 'EXACT'],
    ['JANE ANN DOE', 'DOE, Jane Ann', 'EXACT'],
    ['JANE ANN DOE', 'Dr Jane Ann Doe', 'EXACT'],
    ['JANE ANN DOE', 'Jane Ann Doe MBBS MRCP', 'EXACT'],
    ['ZOE BRONTE', 'Zoë Brontë', 'EXACT'],
    ['MARY SMITH JONES', 'Mary Smith-Jones', 'EXACT'],
    ['JANE  ANN   DOE', 'jane ann doe', 'EXACT'],
    ['SIOBHAN OBRIEN', "Siobhán O'Brien", 'EXACT'],
    ['DOE JANE ANN', 'Jane Ann Doe', 'EXACT'],
    ['JANE ANN DOE', 'Jane Doe', 'MIDDLE_NAME_MISSING'],
    ['Jane Doe', 'JANE ANN DOE', 'MIDDLE_NAME_MISSING'],
    ['JANE ANN MARIE DOE', 'Jane Marie Doe', 'MIDDLE_NAME_MISSING'],
    ['JANE ANN MARIE DOE', 'DOE, Jane Ann', 'MIDDLE_NAME_MISSING'],
    ['JANE ANN DOE', 'Jane Beth Doe', 'MISMATCH'],
    ['JANE ANN MARIE DOE', 'Jane Marie Ann Doe', 'EXACT'],
    ['JANE ANN MARIE DOE', 'Jane Marie Beth Ann Doe', 'MISMATCH'],
    ['JANE ANN DOE', 'Janet Ann Doe', 'MISMATCH'],
    ['JANE ANN DOE', 'Jane Ann Smith', 'MISMATCH'],
    ['JANE DOE', 'Doe', 'MISMATCH'],
    ['JANE DOE', '', 'MISMATCH'],
    ['', '', 'MISMATCH'],
    ['ANNA MUELLER', 'Anna Müller', 'MISMATCH'],
  ])('%s vs %s is %s', (a, b, expected) => {
    expect(matchNames(a, b)).toBe(expected);
    expect(matchNames(b, a)).toBe(expected);
  });
});

describe('toLatinUpperCase and fullNameOf', () => {
  it.each([
    ['Zoë', 'ZOE'],
    ['Ångström', 'ANGSTROM'],
    ['Strauß', 'STRAUSS'],
    ['Łukasz Żółć', 'LUKASZ ZOLC'],
    ['Æsa Þórsdóttir', 'AESA THORSDOTTIR'],
  ])('%s → %s', (text, expected) => {
    expect(toLatinUpperCase(text)).toBe(expected);
  });

  it.each([
    ['Jane Ann', 'Doe', 'JANE ANN DOE'],
    [' jane  ann ', ' doe ', 'JANE ANN DOE'],
    [null, 'DOE', 'DOE'],
    ['JANE', null, 'JANE'],
    [null, null, null],
  ])('fullNameOf(%s, %s) is %s', (given, surname, expected) => {
    expect(fullNameOf(given, surname)).toBe(expected);
  });
});
