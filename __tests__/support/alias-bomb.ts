import { manifest } from './sample-stream.js';

/** The classic "billion laughs": nine levels of nine aliases, a few hundred bytes that expand to 9^9 nodes. */
export function aliasBomb(indent = ''): string {
  const levels = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  return levels
    .map((name, i) =>
      i === 0
        ? `${indent}${name}: &${name} [lol, lol, lol, lol, lol, lol, lol, lol, lol]`
        : `${indent}${name}: &${name} [${Array(9)
            .fill(`*${levels[i - 1]}`)
            .join(', ')}]`
    )
    .join('\n');
}

/** A loftsman manifest whose one entry (cray-hms-bss 3.2.4) has an alias bomb as its values. */
export function aliasBombManifest(chartUrl: string): string {
  const entry = { name: 'cray-hms-bss', source: 'csm-algol60', version: '3.2.4', namespace: 'services', values: { placeholder: true } };
  return manifest('bomb', chartUrl, [entry]).replace(/^( *)placeholder: true$/m, (_line, indent: string) => aliasBomb(indent));
}
