/** A minimal, valid deployment package for Lambda CreateFunction tests (stored, uncompressed zip). */

const handlerSource = 'exports.handler = async () => ({ ok: true });\n';

/** A zip archive holding one file, index.js, whose `handler` export returns `{ ok: true }`. */
export function tinyLambdaZip(): Uint8Array {
  return buildZip('index.js', new TextEncoder().encode(handlerSource));
}

// Format: PKWARE APPNOTE.TXT, sections 4.3.7 (local header), 4.3.12 (central header), 4.3.16 (end).
function buildZip(name: string, data: Uint8Array): Uint8Array {
  const fileName = new TextEncoder().encode(name);
  const crc = crc32(data);
  const dosDate = (1 << 5) | 1; // 1980-01-01, 00:00: fixed for reproducible bytes.

  const local = header(30, fileName);
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(4, 10, true); // version needed: 1.0 (stored)
  writeEntryFields(local, 6, crc, data.length, dosDate);
  local.setUint16(26, fileName.length, true);

  const central = header(46, fileName);
  central.setUint32(0, 0x02014b50, true);
  central.setUint16(4, 0x031e, true); // made by: Unix, spec 3.0
  central.setUint16(6, 10, true);
  writeEntryFields(central, 8, crc, data.length, dosDate);
  central.setUint16(28, fileName.length, true);
  central.setUint32(38, 0o100644 << 16, true); // external attributes: regular file, rw-r--r--
  central.setUint32(42, 0, true); // offset of the local header

  const localSize = 30 + fileName.length + data.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 1, true);
  end.setUint16(10, 1, true);
  end.setUint32(12, central.byteLength, true);
  end.setUint32(16, localSize, true);

  return concat([bytes(local), data, bytes(central), bytes(end)]);
}

/** A header of `size` fixed bytes followed by the file name. */
function header(size: number, fileName: Uint8Array): DataView {
  const view = new DataView(new ArrayBuffer(size + fileName.length));
  new Uint8Array(view.buffer).set(fileName, size);
  return view;
}

/** flags, method (0 = stored), time, date, crc, sizes: the same run of fields in both headers, from `at`. */
function writeEntryFields(view: DataView, at: number, crc: number, size: number, dosDate: number): void {
  view.setUint16(at, 0, true);
  view.setUint16(at + 2, 0, true);
  view.setUint16(at + 4, 0, true);
  view.setUint16(at + 6, dosDate, true);
  view.setUint32(at + 8, crc, true);
  view.setUint32(at + 12, size, true);
  view.setUint32(at + 16, size, true);
}

function bytes(view: DataView): Uint8Array {
  return new Uint8Array(view.buffer);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// Bitwise CRC-32 (IEEE): zlib.crc32 only exists from Node 20.15, and the input here is tiny.
function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
