// Reads an Arrow IPC file with the apache-arrow package (an implementation independent of the
// Java one that wrote it) and prints every row as one line of JSON. Times are printed as the raw
// microsecond integers, so no precision is lost on the way.
const fs = require('fs');
const { tableFromIPC } = require('apache-arrow');

const table = tableFromIPC(fs.readFileSync(process.argv[2]));
const names = table.schema.fields.map((field) => field.name);
const rawMicros = [];
for (const chunk of table.getChild('observed_at').data) {
  for (let i = 0; i < chunk.length; i++) {
    rawMicros.push(chunk.values[chunk.offset + i].toString());
  }
}
const out = [];
for (let row = 0; row < table.numRows; row++) {
  const line = { observed_at: rawMicros[row] };
  for (const name of names) {
    if (name !== 'observed_at') {
      line[name] = table.getChild(name).get(row);
    }
  }
  out.push(JSON.stringify(line));
}
out.push(JSON.stringify({ rows: table.numRows, batches: table.batches.length, schema: table.schema.fields.map((f) => `${f.name}:${f.type}`) }));
process.stdout.write(out.join('\n') + '\n');
