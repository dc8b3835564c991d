// This browser's jobs. Native jobs are queued at once, remembered across page reloads and followed
// one at a time (the oldest unfinished first) through their server-sent events. A1111 requests
// (img2img, inpaint, hires fix) run as one waiting call under a task id of ours, followed by
// polling /sdapi/v1/progress for that task. Either way, finished images come from the job's record.
import {$, notify, showError} from './dom.js';
import {api} from './api.js';

const STORAGE_KEY = 'animagine.jobs';
const EVENTS = ['state', 'queued', 'position', 'started', 'phase', 'step', 'image', 'done', 'cancelled', 'failed'];
const FINISHED = new Set(['done', 'cancelled', 'failed']);
const POLL_MS = 600;

export class Jobs {
  /** onImage({url, seed, infotext, jobId}) for each finished image; onChange() when the set of jobs changes. */
  constructor({onImage, onChange}) {
    this.onImage = onImage;
    this.onChange = onChange;
    this.mine = load();
    this.current = null;
    this.source = null;
    this.received = new Set();
    this.waitingCalls = 0;
    $('cancel-current').addEventListener('click', () => this.current && this.cancel(this.current));
  }

  isMine(id) {
    return this.mine.includes(id) || id === this.current;
  }

  /** Queues a native job and follows it when its turn comes. */
  async submit(body) {
    const job = await api.submitJob(body);
    const id = String(job.id);
    this.mine.push(id);
    save(this.mine);
    notify(job.position > 0 ? `Queued at position ${job.position}` : 'Started');
    this.onChange?.();
    this.followNext();
    return id;
  }

  /** Runs an A1111 request ({path, body}) under a task id of ours, with progress, until it ends. */
  async runA1111({path, body}) {
    const id = `webui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    body.force_task_id = id;
    this.waitingCalls++;
    const previous = this.current;
    this.current = id;
    $('cancel-current').disabled = false;
    showProgress({text: 'Waiting…'});
    this.onChange?.();
    let polling = true;
    const poll = async () => {
      while (polling) {
        try {
          showA1111Progress(await api.progress(id));
        } catch {
          // a missed poll only delays the next update
        }
        await sleep(POLL_MS);
      }
    };
    poll();
    try {
      await (path.endsWith('img2img') ? api.img2img(body) : api.txt2img(body));
      await this.collect(id);
      hideProgress('Done');
    } catch (error) {
      hideProgress('Failed');
      showError(error.message);
    } finally {
      polling = false;
      this.waitingCalls--;
      this.current = previous === id ? null : previous;
      $('cancel-current').disabled = !this.current;
      this.onChange?.();
    }
  }

  async cancel(id) {
    try {
      await api.cancelJob(id);
      notify('Cancelled');
    } catch (error) {
      showError(error.message);
    }
    this.onChange?.();
  }

  /** After a reload: keep following our jobs the server still has; collect those that finished meanwhile. */
  async resume() {
    if (this.mine.length === 0) return;
    const listed = await api.jobs();
    const known = new Map((listed.jobs ?? []).map((j) => [String(j.id), j]));
    this.mine = this.mine.filter((id) => known.has(id));
    save(this.mine);
    for (const id of [...this.mine]) {
      if (FINISHED.has(known.get(id).state)) await this.finish(id);
    }
    this.followNext();
  }

  /** Follows the oldest of our native jobs that has not finished. */
  followNext() {
    if (this.source || this.mine.length === 0) return;
    this.follow(this.mine[0]);
  }

  follow(id) {
    this.current = id;
    $('cancel-current').disabled = false;
    showProgress({text: 'Waiting…'});
    const source = new EventSource(api.jobEventsUrl(id));
    this.source = source;
    for (const type of EVENTS) {
      source.addEventListener(type, (event) => this.handle(id, type, parse(event.data)));
    }
  }

  handle(id, type, data) {
    switch (type) {
      case 'state':
        if (FINISHED.has(data.state)) this.end(id, data.state);
        else if (data.state === 'queued') showProgress({text: queuedText(data.position)});
        else if (data.progress?.steps) showProgress(stepProgress(data.progress));
        break;
      case 'queued':
      case 'position':
        showProgress({text: queuedText(data.position)});
        break;
      case 'started':
        showProgress({text: 'Starting…', fraction: 0});
        break;
      case 'phase':
        showProgress({text: phaseText(data)});
        break;
      case 'step':
        showProgress(stepProgress(data));
        break;
      case 'image':
        this.image(id, data);
        break;
      case 'failed':
        showError(data.error ?? 'the job failed');
        this.end(id, 'failed');
        break;
      case 'done':
      case 'cancelled':
        this.end(id, type);
        break;
      default:
        break;
    }
  }

  image(jobId, image) {
    if (!image?.url || this.received.has(image.url)) return;
    this.received.add(image.url);
    this.onImage?.({url: image.url, seed: image.seed, infotext: image.parameters ?? null, jobId});
  }

  async end(id, state) {
    if (this.source) {
      this.source.close();
      this.source = null;
    }
    await this.finish(id);
    if (this.current === id) this.current = null;
    $('cancel-current').disabled = !this.current;
    hideProgress(state.charAt(0).toUpperCase() + state.slice(1));
    this.onChange?.();
    this.followNext();
  }

  /** Collects a finished job's images and forgets the job. */
  async finish(id) {
    await this.collect(id);
    this.mine = this.mine.filter((j) => j !== id);
    save(this.mine);
  }

  /** The job record's images (with their infotext), those not already shown. */
  async collect(id) {
    try {
      const job = await api.job(id);
      for (const image of job.images ?? []) this.image(id, image);
    } catch {
      // The server has forgotten the job: its images came with its events, if any.
    }
  }
}

function queuedText(position) {
  return position > 0 ? `Waiting: position ${position} in the queue` : 'Starting…';
}

function phaseText(data) {
  const phase = String(data.phase ?? '').replaceAll('_', ' ');
  const image = data.images > 1 ? ` (image ${data.image + 1}/${data.images})` : '';
  return phase ? phase.charAt(0).toUpperCase() + phase.slice(1) + image + '…' : 'Working…';
}

function stepProgress(data) {
  const image = data.images > 1 ? ` · image ${data.image + 1}/${data.images}` : '';
  const parts = [`Step ${data.step}/${data.steps}${image}`];
  const eta = data.eta_seconds;
  if (eta != null && eta >= 0) parts.push(`ETA ${formatSeconds(eta)}`);
  return {
    text: parts.join(' · '),
    fraction: data.progress ?? (data.steps ? data.step / data.steps : 0),
    preview: data.preview ?? null,
  };
}

/** /sdapi/v1/progress for our task: queued, then steps with ETA and the latest preview. */
function showA1111Progress(p) {
  const s = p.state ?? {};
  if (s.queued) {
    showProgress({text: queuedText(s.queue_position)});
  } else if (s.sampling_steps) {
    const image = s.job_count > 1 ? ` · image ${s.job_no + 1}/${s.job_count}` : '';
    showProgress({
      text: `Step ${s.sampling_step}/${s.sampling_steps}${image} · ETA ${formatSeconds(p.eta_relative ?? 0)}`,
      fraction: p.progress,
      preview: p.current_image ? 'data:image/png;base64,' + p.current_image : null,
    });
  }
}

export function formatSeconds(seconds) {
  const s = Math.max(0, Math.round(Number(seconds)));
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

function showProgress({text, fraction, preview}) {
  $('progress').hidden = false;
  $('progress-text').textContent = text;
  if (fraction != null) $('progress-fill').style.width = `${Math.round(Math.min(1, fraction) * 100)}%`;
  if (preview) {
    $('progress-preview').src = preview;
    $('progress-preview').hidden = false;
  }
}

function hideProgress(message) {
  $('progress-text').textContent = message;
  $('progress-fill').style.width = '0%';
  $('progress-preview').hidden = true;
  $('progress-preview').removeAttribute('src');
  $('progress').hidden = true;
  notify(message);
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function load() {
  try {
    const ids = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id) => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function save(ids) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(ids));
}
