/**
 * Test support for runtime/config/config-keys-read.test.ts: which config keys production code reads, found with the
 * TypeScript checker rather than by running the relay.
 *
 * A key counts as read where code reads a property whose declaration is that key's in the Config type: `c.vault.maxBytes`,
 * `settings.limits[key].burst` (a literal-typed index reads each key it can name), `const { host, port } = c.api`.
 * Aliases and hand-overs are followed by the types: the bridge reads `settings.echoWindowMs` of its `BridgeConfig`
 * wherever the object came from. What does not count: writes, spreading or serialising a whole section, and
 * reading the same value after it was copied into another component's own type (`ShardsSettings`), because then the
 * checker can no longer tell which key it came from — map a section to a component's init explicitly, in one place.
 *
 * Keys that share one declaration (the `host` of `ip.listen` and of `ip.peers[]`, both a HostPort) are read
 * together. The program holds the given files only (`noResolve`): what they import from elsewhere is untyped, so a
 * read through it is missed and the key reported (never the other way round).
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

// test-runner: dist-safe (the lib file below is named for TypeScript, which finds it in its own folder).
// Loaded through require: an ESM import of the 9 MB CommonJS bundle first scans all of it for its export names.
const ts = createRequire(import.meta.url)('typescript') as typeof TS;

export interface ConfigReadsOptions {
  /** Every file of the program: the readers and the files that declare their types. */
  files: string[];
  /** Whether reads in this file count (production code, not the config's own validation). */
  reader: (file: string) => boolean;
  /** The file declaring `interface Config`. */
  configFile: string;
  /** Schema key paths (schema-kit.ts keyPaths): `ip.listen.host`, `lora[].pins.busy`. */
  paths: string[];
}

export interface ConfigReads {
  /** Keys of the schema that no reader reads. */
  unread: string[];
  /** Keys of the schema the Config type does not have (schema and type disagree). */
  untyped: string[];
}

export function configReads(o: ConfigReadsOptions): ConfigReads {
  const options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    noResolve: true,
    types: [],
    lib: ['lib.es2023.d.ts'],
    skipLibCheck: true,
  };
  // JSDoc carries no types in .ts files: not parsing it makes the parse of every file cheaper.
  const host = ts.createCompilerHost(options);
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseNone;
  const program = ts.createProgram({ rootNames: o.files, options, host });
  const checker = program.getTypeChecker();
  const plain = (t: TS.Type) => checker.getApparentType(checker.getNonNullableType(t));

  // A property's identity: its declarations, or (mapped types such as Record<LoraPin, number> have none) the type it
  // belongs to and its name.
  const keysOf = (prop: TS.Symbol, owner: TS.Type): string[] =>
    prop.declarations?.length
      ? prop.declarations.map((d) => `${d.getSourceFile().fileName}:${d.pos}`)
      : [`${checker.typeToString(owner)}#${prop.name}`];

  const configSource = program.getSourceFile(o.configFile);
  const configDecl = configSource?.statements.find((s): s is TS.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Config');
  if (!configDecl) throw new Error(`no interface Config in ${o.configFile}`);
  const configType = checker.getTypeAtLocation(configDecl.name);

  const wanted = new Map<string, string[]>();
  const untyped: string[] = [];
  for (const path of o.paths) {
    let type: TS.Type | undefined = configType;
    let keys: string[] = [];
    for (const step of path.split('.').flatMap((seg) => (seg.endsWith('[]') ? [seg.slice(0, -2), '[]'] : [seg]))) {
      if (!type) break;
      if (step === '[]') {
        type = checker.getIndexTypeOfType(plain(type), ts.IndexKind.Number);
        continue;
      }
      const owner = plain(type);
      const prop = checker.getPropertyOfType(owner, step);
      if (!prop) {
        type = undefined;
        break;
      }
      keys = keysOf(prop, owner);
      type = checker.getTypeOfSymbol(prop);
    }
    if (type === undefined) untyped.push(path);
    else wanted.set(path, keys);
  }

  // A key is named by its last step, and a read of a property counts only for that property's own declarations (or
  // its owner type and name), so a property access or a destructuring whose name no key has cannot read one: skip
  // those before asking the checker for types, which is most of the cost (most accesses are `this.x`, `buf.length`).
  const keyNames = new Set(o.paths.map((p) => p.slice(p.lastIndexOf('.') + 1).replace(/\[\]$/, '')));
  const read = new Set<string>();
  const readProp = (owner: TS.Type, name: string) => {
    const prop = checker.getPropertyOfType(owner, name);
    if (prop) for (const k of keysOf(prop, owner)) read.add(k);
  };
  const visit = (node: TS.Node): void => {
    if (ts.isPropertyAccessExpression(node) && keyNames.has(node.name.text) && !isWriteTarget(node)) {
      const owner = plain(checker.getTypeAtLocation(node.expression));
      for (const t of owner.isUnion() ? owner.types : [owner]) readProp(plain(t), node.name.text);
    } else if (ts.isElementAccessExpression(node) && !ts.isNumericLiteral(node.argumentExpression) && !isWriteTarget(node)) {
      // (a numeric literal's type is a number, never a key name)
      const index = checker.getTypeAtLocation(node.argumentExpression);
      const owner = plain(checker.getTypeAtLocation(node.expression));
      for (const literal of index.isUnion() ? index.types : [index]) if (literal.isStringLiteral()) readProp(owner, literal.value);
    } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent) && !node.dotDotDotToken) {
      const name = node.propertyName ?? node.name;
      if ((ts.isIdentifier(name) || ts.isStringLiteral(name)) && keyNames.has(name.text)) readProp(plain(checker.getTypeAtLocation(node.parent)), name.text);
    }
    ts.forEachChild(node, visit);
  };
  for (const sf of program.getSourceFiles()) if (!sf.isDeclarationFile && o.reader(sf.fileName)) visit(sf);

  const unread = [...wanted].filter(([, keys]) => !keys.some((k) => read.has(k))).map(([path]) => path);
  return { unread, untyped };
}

/** `x.a = 1` and `delete x.a` do not read `a`; `x.a += 1` does. */
function isWriteTarget(node: TS.Expression): boolean {
  const p = node.parent;
  if (ts.isBinaryExpression(p) && p.left === node && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
  return ts.isDeleteExpression(p);
}
