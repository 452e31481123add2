// Turns nsfwjs's bundled MobileNetV2 (browserify modules, since nsfwjs 4) back into the TF.js files:
// model.json (Keras topology + weightsManifest) and the one weight shard under the name the manifest gives it
// (group1-shard1of1: the weight bytes, uint8-quantised).
// Usage: node .ci/extract-nsfwjs.js <nsfwjs package dir> <out dir>
const fs = require('fs');
const path = require('path');
const [pkg, out] = process.argv.slice(2);
const dir = path.join(pkg, 'dist', 'models', 'mobilenet_v2');
const model = require(path.resolve(dir, 'model.min.js'));
const shard = require(path.resolve(dir, 'group1-shard1of1.min.js'));
fs.mkdirSync(out, { recursive: true });
const json = model.default || model;
const paths = json.weightsManifest[0].paths;
if (json.weightsManifest.length !== 1 || paths.length !== 1) {
  throw new Error('expected one weight group with one shard, found ' + JSON.stringify(json.weightsManifest.map(g => g.paths)));
}
fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(json));
fs.writeFileSync(path.join(out, paths[0]), Buffer.from(shard.default || shard, 'base64'));
console.log('nsfwjs MobileNetV2 extracted to ' + out);
