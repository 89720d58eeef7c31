import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import t from 'tap';
import { DEMO_EVENT_FILE } from '../demo.ts';
import { REPO_ROOT } from '../paths.ts';
import { readDeclarationFile } from './read.ts';
import { BAD_DECLARATIONS, fullDeclaration } from './testing/bad-declarations.ts';
import { DeclarationError, validateDeclaration } from './validate.ts';

const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'event.schema.json'), 'utf8'));
const schemaAccepts = new Ajv({ allErrors: true, strict: false }).compile(schema);

const problemsOf = (value: unknown): string[] => {
  try {
    validateDeclaration(value);
    return [];
  } catch (err) {
    if (!(err instanceof DeclarationError)) throw err;
    return err.problems;
  }
};

t.test('the demo file and a declaration using every field are valid, for the validator and the schema', async (t) => {
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  t.equal(demo.entries.length, 100);
  t.ok(schemaAccepts(demo), `schema accepts the demo: ${JSON.stringify(schemaAccepts.errors)}`);
  t.same(problemsOf(fullDeclaration()), []);
  t.ok(schemaAccepts(fullDeclaration()), `schema accepts the full declaration: ${JSON.stringify(schemaAccepts.errors)}`);
});

for (const bad of BAD_DECLARATIONS) {
  t.test(`refused: ${bad.name}`, async (t) => {
    t.strictSame(problemsOf(bad.value), bad.problems, 'every problem, with its path, in order');
    t.equal(schemaAccepts(bad.value) ? 'accepts' : 'refuses', bad.schema,
      bad.schema === 'refuses' ? 'the schema refuses it too' : 'the schema accepts it: references and uniqueness are the validator\'s');
  });
}

t.test('a file that is not YAML names the file and the parse error', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-decl-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'broken.yaml');
  fs.writeFileSync(file, 'track: [unclosed\n');
  t.throws(() => readDeclarationFile(file), /broken\.yaml: invalid event declaration:\n  - not valid YAML: /);
});
