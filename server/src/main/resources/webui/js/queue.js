// The queue panel: the server's running and waiting jobs (everyone's), with a cancel button per job.
import {$, el} from './dom.js';
import {api} from './api.js';

const POLL_MS = 1500;

export class QueuePanel {
  constructor(jobs) {
    this.jobs = jobs;
    this.timer = null;
  }

  start() {
    this.refresh();
  }

  /** Reloads the list now and schedules the next poll. */
  async refresh() {
    clearTimeout(this.timer);
    try {
      this.render(await api.jobs());
    } catch {
      // The server is restarting or gone: keep the last list and try again.
    }
    this.timer = setTimeout(() => this.refresh(), POLL_MS);
  }

  render(listed) {
    const jobs = listed.jobs ?? [];
    const running = jobs.filter((j) => j.state === 'running').map((job) => this.item(job, 'running'));
    const waiting = jobs.filter((j) => j.state === 'queued')
      .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
      .map((job) => this.item(job, 'waiting'));
    const items = [...running, ...waiting];
    $('queue-count').textContent = String(items.length);
    $('queue').replaceChildren(...(items.length ? items : [el('li', {className: 'hint'}, 'Nothing queued.')]));
  }

  item(job, state) {
    const id = String(job.id);
    const mine = this.jobs.isMine(id);
    const position = state === 'waiting' && job.position != null ? `#${job.position} ` : '';
    const label = `${position}${summary(job)}`;
    return el('li', {className: `job ${state}${mine ? ' mine' : ''}`, dataset: {id, state}},
      el('span', {className: 'job-state'}, state),
      el('span', {className: 'job-label', title: id}, label),
      el('button', {type: 'button', className: 'cancel', title: `Cancel job ${id}`, onclick: async () => {
        await this.jobs.cancel(id);
        this.refresh();
      }}, '✕'));
  }
}

function summary(job) {
  const prompt = job.prompt ?? '';
  const size = job.width && job.height ? ` ${job.width}x${job.height}` : '';
  const text = prompt.length > 60 ? prompt.slice(0, 57) + '…' : prompt;
  return (text || String(job.id)) + size;
}
