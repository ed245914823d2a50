/**
 * The import rules of the tree (docs/architecture.md, "Folders and the rules between them"), checked
 * by `npm run lint`. The app (domain, stores, orchestrations, activities, entities, functions) knows
 * nothing of the local host; the local host (runtime/) knows nothing of the app; the app's folders
 * form layers, so no import cycle can run between them.
 */
const APP = '^(domain|telemetry|stores|orchestrations|activities|entities|functions)/';
const TOOLS = '^(web|simulator|bench|scripts|test)/';
const LOCAL_HOST = '^runtime/|(^|/)node_modules/@cardflow/local-host';
const TESTS = '(\\.test\\.ts$|/test/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ is pure: it imports only itself, zod and xstate (no I/O, no Azure, no Node).',
      severity: 'error',
      from: { path: '^domain/', pathNot: TESTS },
      to: {
        pathNot: ['^domain/', '(^|/)node_modules/(zod|xstate)/'],
      },
    },
    {
      name: 'telemetry-is-a-leaf',
      comment:
        'telemetry/ (set-up, trace context, spans) imports only OpenTelemetry, the Azure Monitor distro and async_hooks (its context storage): every layer may use it.',
      severity: 'error',
      from: { path: '^telemetry/', pathNot: TESTS },
      to: {
        pathNot: [
          '^telemetry/',
          '(^|/)node_modules/(@opentelemetry/[^/]+|@azure/monitor-opentelemetry)/',
          '^async_hooks$',
        ],
      },
    },
    {
      name: 'orchestrations-are-deterministic',
      comment:
        'orchestrations/ import only domain/, the activity and entity contracts and durable-functions: no stores, no functions/, no I/O.',
      severity: 'error',
      from: { path: '^orchestrations/', pathNot: TESTS },
      to: {
        pathNot: [
          '^orchestrations/',
          '^domain/',
          '^(activities|entities)/contracts\\.ts$',
          '(^|/)node_modules/(durable-functions|@azure/functions|zod|xstate)/',
        ],
      },
    },
    {
      name: 'app-knows-no-local-host',
      comment:
        'The app meets its host only through the seam in stores/localHost.ts: it imports neither the local host nor SQLite.',
      severity: 'error',
      from: { path: APP, pathNot: TESTS },
      to: { path: [LOCAL_HOST, '(^|/)node_modules/@photostructure/sqlite/'] },
    },
    {
      name: 'local-host-knows-no-app',
      comment: 'runtime/ is a generic Azure Functions host: it imports nothing of the app or its tools.',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: [APP, TOOLS] },
    },
    {
      name: 'local-host-by-package-name',
      comment:
        "Outside runtime/, the local host is imported as '@cardflow/local-host', never by a path into runtime/.",
      severity: 'error',
      from: { path: '^(?!runtime/)' },
      to: { path: '^runtime/', dependencyTypesNot: ['aliased-tsconfig-paths', 'aliased-tsconfig'] },
    },
    {
      name: 'local-host-root-only',
      comment:
        "Outside runtime/ (tests aside), only the package's root is imported: its sub-paths are the host's insides, and the built package exposes none.",
      severity: 'error',
      from: { path: '^(?!runtime/)', pathNot: TESTS },
      to: { path: '^runtime/(?!index\\.ts$)' },
    },
    {
      name: 'app-does-not-import-tests',
      comment: 'Code that ships imports no test helper (a file under a test/ folder, or a test).',
      severity: 'error',
      from: { path: APP, pathNot: TESTS },
      to: { path: TESTS },
    },
    {
      name: 'tools-do-not-import-tests',
      comment: 'The dashboard, the simulator, the benchmarks and the scripts import no test helper.',
      severity: 'error',
      from: { path: '^(web|simulator|bench|scripts)/', pathNot: TESTS },
      to: { path: TESTS },
    },
    {
      name: 'stores-below-the-app',
      comment: 'stores/ (ports and drivers) sit below everything that uses them.',
      severity: 'error',
      from: { path: '^stores/', pathNot: TESTS },
      to: { path: '^(orchestrations|activities|entities|functions)/' },
    },
    {
      name: 'activities-and-entities-below-functions',
      comment:
        'activities/ and entities/ are called by the process manager; they never import its registrations or functions/.',
      severity: 'error',
      from: { path: '^(activities|entities)/', pathNot: TESTS },
      to: { path: '^(orchestrations|functions)/' },
    },
    {
      name: 'entities-do-not-call-activities',
      severity: 'error',
      from: { path: '^entities/', pathNot: TESTS },
      to: { path: '^activities/' },
    },
    {
      name: 'app-does-not-import-tools',
      comment:
        'The app does not import the dashboard sources, the simulator, benchmarks, scripts or test helpers.',
      severity: 'error',
      from: { path: APP, pathNot: TESTS },
      to: { path: TOOLS },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles between modules.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules stays in the graph (unfollowed), so that rules about packages see their imports.
    // Build output of ours, not of packages (a package's own dist/ is what an import resolves to).
    exclude: { path: '^(web/)?(dist|coverage|\\.data)/|/fixtures/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
