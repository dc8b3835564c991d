// Reads the text chunks of a PNG (tEXt, zTXt, iTXt) in the browser: where A1111, this server
// ("parameters") and the Animagine space (JSON in "parameters" or "metadata") keep an image's settings.

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** Returns {keyword: text} for every text chunk; throws when the bytes are not a PNG. */
export async function readPngText(buffer) {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new Error('not a PNG file');
  }
  const view = new DataView(buffer);
  const texts = {};
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = latin1.decode(bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'tEXt') addText(texts, ...splitText(data));
    else if (type === 'zTXt') addText(texts, ...await splitCompressed(data));
    else if (type === 'iTXt') addText(texts, ...await splitInternational(data));
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  return texts;
}

function addText(texts, keyword, text) {
  if (keyword) texts[keyword] = text;
}

function nul(data, from = 0) {
  const i = data.indexOf(0, from);
  return i < 0 ? data.length : i;
}

function splitText(data) {
  const k = nul(data);
  return [latin1.decode(data.subarray(0, k)), latin1.decode(data.subarray(k + 1))];
}

async function splitCompressed(data) {
  const k = nul(data);
  return [latin1.decode(data.subarray(0, k)), latin1.decode(await inflate(data.subarray(k + 2)))];
}

async function splitInternational(data) {
  const k = nul(data);
  const compressed = data[k + 1] === 1;
  const languageEnd = nul(data, k + 3);
  const translatedEnd = nul(data, languageEnd + 1);
  const body = data.subarray(translatedEnd + 1);
  const text = compressed ? await inflate(body) : body;
  return [latin1.decode(data.subarray(0, k)), utf8.decode(text)];
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The generation-parameters text of a PNG's chunks, or null when it carries none. */
export function parametersText(texts) {
  return texts.parameters ?? texts.metadata ?? texts.Comment ?? null;
}
