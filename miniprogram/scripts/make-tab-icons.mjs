// Draws the tab bar's icons (src/assets/tab-*.png): a chat bubble for 问答 and a receipt for 订单, grey and
// green, 81×81 (WeChat's recommended tab icon size), anti-aliased by 4×4 supersampling. No image library: shapes
// are signed distance functions and the PNG is written by hand (zlib + CRC-32). Run after changing a shape or a
// colour: `node miniprogram/scripts/make-tab-icons.mjs`; the PNGs are committed.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 81;
const SAMPLES = 4;
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'assets');

// The tab bar's label colours (src/app.config.ts): readable on its #f7f7f7 background (WCAG AA).
const GREY = [0x66, 0x66, 0x66];
const GREEN = [0x06, 0x7a, 0x43];

/** Distance from (x, y) to a rounded rectangle centred at (cx, cy); negative inside. */
function roundedRect(x, y, cx, cy, halfW, halfH, radius) {
  const qx = Math.abs(x - cx) - (halfW - radius);
  const qy = Math.abs(y - cy) - (halfH - radius);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - radius;
}

const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;

/** Inside the triangle a-b-c. */
function inTriangle(x, y, [ax, ay], [bx, by], [cx, cy]) {
  const side = (px, py, qx, qy) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = side(ax, ay, bx, by);
  const d2 = side(bx, by, cx, cy);
  const d3 = side(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

const STROKE = 5.5;
const onStroke = (distance) => Math.abs(distance) <= STROKE / 2;

/** 问答: a speech bubble with a tail at its lower left and three dots inside. */
function chat(x, y) {
  const bubble = roundedRect(x, y, 40.5, 36, 30, 23, 12);
  const tail = inTriangle(x, y, [18, 55], [30, 56.5], [14, 70]) && bubble > -STROKE / 2;
  const dots = [26.5, 40.5, 54.5].some((cx) => circle(x, y, cx, 36, 4.2) <= 0);
  return onStroke(bubble) || tail || dots;
}

/** 订单: a receipt (a tall rounded sheet) with three lines of text. */
function orders(x, y) {
  const sheet = roundedRect(x, y, 40.5, 40.5, 24, 30, 7);
  const lines = [
    [27.5, 53.5, 27],
    [27.5, 53.5, 40],
    [27.5, 44, 53],
  ].some(([x0, x1, ly]) => x >= x0 && x <= x1 && Math.abs(y - ly) <= STROKE / 2);
  return onStroke(sheet) || lines;
}

function render(shape, [r, g, b]) {
  const rows = [];
  for (let py = 0; py < SIZE; py++) {
    const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0 (none), then RGBA pixels
    for (let px = 0; px < SIZE; px++) {
      let covered = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          if (shape(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)) covered++;
        }
      }
      const offset = 1 + px * 4;
      row[offset] = r;
      row[offset + 1] = g;
      row[offset + 2] = b;
      row[offset + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
    }
    rows.push(row);
  }
  return png(Buffer.concat(rows));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(scanlines) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const [name, shape] of [
  ['chat', chat],
  ['orders', orders],
]) {
  writeFileSync(join(OUT, `tab-${name}.png`), render(shape, GREY));
  writeFileSync(join(OUT, `tab-${name}-active.png`), render(shape, GREEN));
}
console.log(`tab icons written to ${OUT}`);
