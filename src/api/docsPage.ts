// A browsable page for the OpenAPI document, rendered on the server from the document itself: no
// scripts and no CDN, so it works offline and under the strict Content-Security-Policy helmet sets.
import type { OpenApiDocument } from './openapi';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Pretty JSON with every `$ref` to a component schema turned into a link to it on the page. */
function schemaHtml(schema: unknown): string {
  return escape(JSON.stringify(schema, null, 2)).replace(
    /&quot;#\/components\/schemas\/([\w.-]+)&quot;/g,
    (_m, name: string) => `<a href="#schema-${name}">&quot;#/components/schemas/${name}&quot;</a>`,
  );
}

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

function operationHtml(method: string, path: string, op: Operation): string {
  const anchor = op.operationId ?? `${method}-${path}`;
  const auth = op.security && op.security.length > 0 ? 'Bearer token' : 'public';
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td>` +
        `<td>${escape(p.description ?? '')}</td><td><pre>${schemaHtml(p.schema ?? {})}</pre></td></tr>`,
    )
    .join('');
  const body = op.requestBody?.content
    ? Object.entries(op.requestBody.content)
        .map(
          ([type, media]) =>
            `<p>Body (${escape(type)}${op.requestBody?.required ? '' : ', optional'})</p><pre>${schemaHtml(media.schema ?? {})}</pre>`,
        )
        .join('')
    : '';
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => {
      const content = Object.entries(r.content ?? {})
        .map(([type, media]) => `<div class="type">${escape(type)}</div><pre>${schemaHtml(media.schema ?? {})}</pre>`)
        .join('');
      return `<li><b>${escape(status)}</b> ${escape(r.description ?? '')}${content}</li>`;
    })
    .join('');
  return `<section id="${escape(anchor)}">
<h3><span class="method ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code> <small>${auth}</small></h3>
<p>${escape(op.summary ?? '')}</p>${op.description ? `<p class="desc">${escape(op.description)}</p>` : ''}
${params ? `<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>About</th><th>Schema</th></tr>${params}</table>` : ''}
${body}<ul class="responses">${responses}</ul></section>`;
}

export function renderDocsPage(doc: OpenApiDocument): string {
  const operations: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      operations.push(operationHtml(method, path, op));
      toc.push(
        `<li><a href="#${escape(op.operationId ?? '')}">${escape(method.toUpperCase())} ${escape(path)}</a></li>`,
      );
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, schema]) =>
        `<section id="schema-${escape(name)}"><h3>${escape(name)}</h3><pre>${schemaHtml(schema)}</pre></section>`,
    )
    .join('');
  const description = escape(doc.info.description ?? '')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\n/g, '<br>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(doc.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#1d2433}
pre{background:#f4f6fa;padding:.5rem;overflow:auto;font-size:12px;max-height:28rem}
section{border-top:1px solid #dde3ee;padding:.5rem 0}
.method{display:inline-block;min-width:3.5rem;text-align:center;color:#fff;border-radius:4px;padding:0 .4rem}
.get{background:#2f6fdf}.post{background:#1f9d55}small{color:#667}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #dde3ee;padding:.25rem;vertical-align:top;text-align:left}
.type{color:#667;font-size:12px}.desc{color:#334}
</style></head><body>
<h1>${escape(doc.info.title)} <small>${escape(doc.info.version)} · OpenAPI ${escape(doc.openapi)} · <a href="/api/openapi.json">openapi.json</a></small></h1>
<p>${description}</p>
<h2>Operations</h2><ul>${toc.join('')}</ul>
${operations.join('\n')}
<h2>Schemas</h2>${schemas}
</body></html>`;
}
