import { CommentError } from '../errors.js';

/** A comment on a pull (merge) request: its id in the code host's API, and its text. */
export interface Comment {
  id: number;
  body: string;
}

/** The comments of one pull request, as a code host's REST API keeps them. */
export interface CommentThread {
  /** Where the comments are, for messages: `github.com/o/r#12`. */
  readonly label: string;
  list(): Promise<Comment[]>;
  create(body: string): Promise<Comment>;
  update(id: number, body: string): Promise<Comment>;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';

/** A JSON request with Node's fetch; a refusal becomes a CommentError with the host's own message and `hint`. */
async function requestJson<T>(
  url: string,
  method: Method,
  headers: Record<string, string>,
  hint: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new CommentError(
      `${method} ${url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`,
      { cause: error, suggestions: ['check the API URL and the network from this job'] },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 500);
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
    } catch {
      // not JSON: the text as sent
    }
    throw new CommentError(`${method} ${url}: ${response.status} ${response.statusText}: ${message}`, {
      suggestions: [hint],
    });
  }
  return JSON.parse(text) as T;
}

/** Pages of 100 until a short one: GitHub and GitLab both take `per_page` and `page`. */
async function allPages<T>(pageUrl: (page: number) => string, get: (url: string) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const items = await get(pageUrl(page));
    all.push(...items);
    if (items.length < 100) return all;
  }
}

/** A pull request's issue comments through the GitHub REST API (api.github.com, or GitHub Enterprise's). */
export class GitHubComments implements CommentThread {
  readonly label: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly target: { apiUrl: string; repository: string; number: number; token: string }) {
    this.label = `${target.repository}#${target.number}`;
    this.headers = {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${target.token}`,
      'x-github-api-version': '2022-11-28',
      'user-agent': 'boutique',
    };
  }

  private url(path: string): string {
    return `${this.target.apiUrl.replace(/\/+$/, '')}/repos/${this.target.repository}${path}`;
  }

  private readonly hint =
    "the job needs a token that may write pull-request comments: permissions: { pull-requests: write } in the workflow, and GITHUB_TOKEN in the step's env";

  list(): Promise<Comment[]> {
    return allPages(
      (page) => this.url(`/issues/${this.target.number}/comments?per_page=100&page=${page}`),
      (url) => requestJson<Comment[]>(url, 'GET', this.headers, this.hint),
    );
  }

  create(body: string): Promise<Comment> {
    return requestJson(this.url(`/issues/${this.target.number}/comments`), 'POST', this.headers, this.hint, { body });
  }

  update(id: number, body: string): Promise<Comment> {
    return requestJson(this.url(`/issues/comments/${id}`), 'PATCH', this.headers, this.hint, { body });
  }
}

/** A merge request's notes through the GitLab REST API (v4). */
export class GitLabNotes implements CommentThread {
  readonly label: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly target: { apiUrl: string; project: string; iid: number; token: string }) {
    this.label = `project ${target.project}!${target.iid}`;
    this.headers = { 'private-token': target.token, 'user-agent': 'boutique' };
  }

  private url(path: string): string {
    return `${this.target.apiUrl.replace(/\/+$/, '')}/projects/${encodeURIComponent(this.target.project)}/merge_requests/${this.target.iid}/notes${path}`;
  }

  private readonly hint =
    'GITLAB_TOKEN must be a project or personal access token with the api scope (CI_JOB_TOKEN cannot write notes)';

  async list(): Promise<Comment[]> {
    const notes = await allPages(
      (page) => this.url(`?per_page=100&page=${page}`),
      (url) => requestJson<(Comment & { system?: boolean })[]>(url, 'GET', this.headers, this.hint),
    );
    return notes.filter((note) => !note.system);
  }

  create(body: string): Promise<Comment> {
    return requestJson(this.url(''), 'POST', this.headers, this.hint, { body });
  }

  update(id: number, body: string): Promise<Comment> {
    return requestJson(this.url(`/${id}`), 'PUT', this.headers, this.hint, { body });
  }
}
