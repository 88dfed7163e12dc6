// jsforce's OAuth2 refresh against PushApi: a Connection built from the OAuth2 settings alone, a dead access token and
// a refresh token; jsforce refreshes by itself on the first 401 (the 'refresh' event) and the query is answered.
// Reads PUSHAPI_URL, CLIENT_ID, CLIENT_SECRET (may be empty), REDIRECT_URI, REFRESH_TOKEN; prints one JSON line.
'use strict';

const jsforce = require('jsforce');

async function main() {
  const url = process.env.PUSHAPI_URL;
  const conn = new jsforce.Connection({
    oauth2: { clientId: process.env.CLIENT_ID, clientSecret: process.env.CLIENT_SECRET || undefined, loginUrl: url, redirectUri: process.env.REDIRECT_URI },
    version: '62.0',
    instanceUrl: url,
    accessToken: '00D000000000000AAA!' + 'x'.repeat(48),
    refreshToken: process.env.REFRESH_TOKEN,
  });
  const refreshes = [];
  conn.on('refresh', accessToken => refreshes.push(accessToken));
  const packages = await conn.query('SELECT Id, Name FROM MetadataPackage');

  let refused = null;
  try {
    await conn.oauth2.refreshToken('notARealRefreshToken');
  } catch (error) {
    refused = `${error.name}: ${error.message}`;
  }

  console.log(JSON.stringify({
    refreshEvents: refreshes.length, newTokenShape: /^00D\w{15}!\w{48}$/.test(refreshes[0] ?? ''), connectionToken: conn.accessToken === refreshes[0],
    packages: packages.totalSize, names: packages.records.map(r => r.Name), refused,
  }));
}

main().catch(error => { console.error(error); process.exit(1); });
