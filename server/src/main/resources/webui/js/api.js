// The server's public HTTP APIs: the native job API (/api/v1) and the A1111 API (/sdapi/v1).
// Everything the page does goes through here, so a script can do the same.

async function request(method, path, body) {
  const init = {method, headers: {}};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const data = text ? parseJson(text) : null;
  if (!response.ok) {
    throw new Error(errorMessage(data, text) || `${method} ${path}: HTTP ${response.status}`);
  }
  return data;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The one-line message of an error body: ours {error}, A1111's {detail} or {error, errors}. */
function errorMessage(data, text) {
  if (data && typeof data === 'object') {
    const detail = data.detail ?? data.error ?? data.message ?? data.errors;
    if (typeof detail === 'string') return detail;
    if (detail) return JSON.stringify(detail);
  }
  return typeof text === 'string' ? text.slice(0, 300) : '';
}

export const api = {
  // Native job API.
  submitJob: (body) => request('POST', '/api/v1/jobs', body),
  jobs: () => request('GET', '/api/v1/jobs'),
  job: (id) => request('GET', `/api/v1/jobs/${encodeURIComponent(id)}`),
  cancelJob: (id) => request('DELETE', `/api/v1/jobs/${encodeURIComponent(id)}`),
  jobEventsUrl: (id) => `/api/v1/jobs/${encodeURIComponent(id)}/events`,
  imageUrl: (file) => `/api/v1/images/${encodeURIComponent(file)}`,
  promptPreview: (body) => request('POST', '/api/v1/prompt', body),
  model: () => request('GET', '/api/v1/model'),

  // A1111 API.
  options: () => request('GET', '/sdapi/v1/options'),
  setOptions: (options) => request('POST', '/sdapi/v1/options', options),
  sdModels: () => request('GET', '/sdapi/v1/sd-models'),
  samplers: () => request('GET', '/sdapi/v1/samplers'),
  schedulers: () => request('GET', '/sdapi/v1/schedulers'),
  upscalers: () => request('GET', '/sdapi/v1/upscalers'),
  latentUpscaleModes: () => request('GET', '/sdapi/v1/latent-upscale-modes'),
  loras: () => request('GET', '/sdapi/v1/loras'),
  refreshLoras: () => request('POST', '/sdapi/v1/refresh-loras'),
  txt2img: (body) => request('POST', '/sdapi/v1/txt2img', body),
  img2img: (body) => request('POST', '/sdapi/v1/img2img', body),
  progress: (task) => request('GET', `/sdapi/v1/progress?id_task=${encodeURIComponent(task)}&skip_current_image=false`),
};
