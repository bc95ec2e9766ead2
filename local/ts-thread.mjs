// The entry of local mode's worker threads: loads the TypeScript module named in
// `workerData.module` through tsx (as `npm start` loads local mode), whichever way the parent was
// started (tsx, or a test runner with its own transform, which a thread does not inherit).
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.module, import.meta.url);
