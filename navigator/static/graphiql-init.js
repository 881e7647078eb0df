// Starts GraphiQL on the page that navigator/graphql_http.py serves. It is a file of its own, not an inline script,
// so that the page runs under a Content-Security-Policy with `script-src 'self'`. React, ReactDOM and GraphiQL are
// the UMD globals of the scripts loaded before it (graphiql 4's standalone bundle and React 18; see that module).
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint');
  var initialQuery = new URLSearchParams(window.location.search).get('query');
  // Styles set from a script are allowed by the policy; a style attribute in the HTML would need 'unsafe-inline'.
  document.body.style.margin = '0';
  root.style.height = '100vh';
  root.textContent = '';
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    headers: { Accept: 'application/graphql-response+json, application/json;q=0.9' },
  });
  var props = { fetcher: fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: false };
  if (initialQuery) {
    props.query = initialQuery; // a link such as /graphql?query=... opens with that query
  }
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
