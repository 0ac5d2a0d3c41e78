// A real OpenID Connect provider (panva/oidc-provider) on loopback, playing the region's Entra ID
// for hr's tests and demo. Usage: node provider.mjs CONFIG.json
//
// CONFIG: { "issuer": "http://127.0.0.1:PORT", "port": PORT,
//           "clients": [{ "client_id", "client_secret", "redirect_uris": [...],
//                         "post_logout_redirect_uris": [...] }],
//           "jwks": { "keys": [private JWKs, each with a kid] },
//           "people": [{ "sub", "name", "email", "email_verified", "employee_number", "roles": [...] }],
//           "faults": false }
//
// The sign-in page lists the people: pick one (there are no passwords: this is a stand-in for the
// directory). With "faults": true, POST /_test/fault?kind=forged|expired|audience|nonce|issuer makes
// the next token response carry an ID token altered that way, as an attacker on the wire would.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const people = new Map(config.people.map((p) => [p.sub, p]));

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    grant_types: ['authorization_code'], response_types: ['code'], ...c,
  })),
  jwks: config.jwks,
  cookies: { keys: [config.cookie_key || 'devidp-cookie-key-not-a-secret'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'employee_number', 'roles'],
  },
  // Entra ID puts the requested claims in the ID token; so does this stand-in.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Log ud', `<main><h1>Log ud af arbejdskontoen?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Ja, log ud</button></main>`);
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const person = people.get(sub);
    if (!person) return undefined;
    return { accountId: sub, async claims() { return { ...person, sub }; } };
  },
  // A first-party app: the organisation has consented for everyone (as an Entra admin does).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'employee_number', 'roles']);
    await grant.save();
    return grant;
  },
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="da"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
button{display:block;width:100%;text-align:left;margin:.5rem 0;padding:.75rem 1rem;font-size:1rem;
border:1px solid #1a1a1a;border-radius:4px;background:#fff;cursor:pointer}button:focus{outline:3px solid #0059b3}
small{color:#454545}</style></head><body>${body}</body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

let nextFault = null;

async function tamper(idToken, kind) {
  const header = jose.decodeProtectedHeader(idToken);
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (kind === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (kind === 'audience') claims.aud = 'another-application';
  if (kind === 'nonce') claims.nonce = 'not-the-nonce-that-was-sent';
  if (kind === 'issuer') claims.iss = 'http://127.0.0.1:1/impostor';
  let key;
  if (kind === 'forged') {
    ({ privateKey: key } = await jose.generateKeyPair(header.alg, { extractable: true }));
  } else {
    const jwk = config.jwks.keys.find((k) => k.kid === header.kid);
    key = await jose.importJWK(jwk, header.alg);
  }
  return new jose.SignJWT(claims).setProtectedHeader(header).sign(key);
}

function withTamperedToken(res, kind) {
  const chunks = [];
  const end = res.end.bind(res);
  res.write = (chunk) => { chunks.push(Buffer.from(chunk)); return true; };
  res.end = (chunk, ...rest) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    tamper(body.id_token, kind).then((token) => {
      const out = JSON.stringify({ ...body, id_token: token });
      res.setHeader('content-length', Buffer.byteLength(out));
      end(out);
    });
    return res;
  };
}

const callback = provider.callback();

createServer(async (req, res) => {
  const url = new URL(req.url, config.issuer);
  try {
    if (config.faults && req.method === 'POST' && url.pathname === '/_test/fault') {
      nextFault = url.searchParams.get('kind');
      res.writeHead(204).end();
      return;
    }
    const login = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (login) {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'POST' && login[2]) {
        const sub = (await readForm(req)).get('sub');
        if (!people.has(sub)) {
          res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Ukendt', '<p>Ukendt person</p>'));
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
        return;
      }
      const buttons = config.people.map((p) => `<form method="post" action="/interaction/${escape(details.uid)}/login">
<input type="hidden" name="sub" value="${escape(p.sub)}"><button type="submit">${escape(p.name)}
<small>${escape(p.description || p.email || '')}</small></button></form>`).join('\n');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Log ind',
        `<main><h1>Regionens arbejdskonti (demo)</h1>
<p>Dette er en lokal stand-in for regionens Entra ID. Vælg den person, du vil logge ind som.</p>${buttons}</main>`));
      return;
    }
    if (nextFault && req.method === 'POST' && url.pathname === '/token') {
      withTamperedToken(res, nextFault);
      nextFault = null;
    }
    callback(req, res);
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(String(err.message || err));
  }
}).listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`devidp listening on ${config.issuer}\n`);
});

// The process that started us holds our stdin open: when it goes, however it goes (a closed
// terminal, SIGHUP, SIGKILL), the pipe closes and so do we. No orphan keeps the port.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
