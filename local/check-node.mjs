// Guards npm scripts: the project runs on the Node.js major of its Lambda runtime, which npm
// provides from the `node` devDependency. A bare machine Node 20 means `npm install` was skipped.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Toolgate needs Node.js 24 (found ${process.version}). Run "npm install" first: it installs Node 24 as a dev dependency, and npm scripts then use it.`,
  );
  process.exit(1);
}
