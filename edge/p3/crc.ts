/**
 * The P3 frame check: CRC-16 with the CCITT polynomial 0x1021, register preset to 0xFFFF, the message bits shifted
 * *into* the register (the "augmented" form, no two trailing zero bytes, no reflection, no final XOR), over the whole
 * unescaped frame from SOR to EOR with the two CRC bytes set to 0. Stored little-endian at offset 4.
 * Worked out against the real capture edge/p3/fixtures/amb.out: all 1388 frames check (crc.test.ts).
 */
const TABLE = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 8;
    for (let b = 0; b < 8; b++) r = r & 0x8000 ? ((r << 1) ^ 0x1021) & 0xffff : (r << 1) & 0xffff;
    table[i] = r;
  }
  return table;
}

/** The CRC of an unescaped frame, its CRC bytes (4, 5) taken as 0 whatever they hold. */
export function p3Crc(frame: Uint8Array): number {
  let crc = 0xffff;
  for (let i = 0; i < frame.length; i++) {
    const byte = i === 4 || i === 5 ? 0 : frame[i]!;
    // Shifting a byte in: the top byte leaves (its feedback from the table), the new byte enters at the bottom.
    crc = (TABLE[crc >> 8]! ^ ((crc << 8) & 0xffff) ^ byte) & 0xffff;
  }
  return crc;
}
