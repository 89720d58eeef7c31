import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { DeclarationError, validateDeclaration } from './validate.ts';

/** Reads an event declaration from a .json, .yaml or .yml file and validates it. */
export function readDeclarationFile(file: string): EventDeclaration {
  const text = fs.readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new DeclarationError(file, [`not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`]);
  }
  return validateDeclaration(value, file);
}
