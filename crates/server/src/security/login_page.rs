//! The login page: what a browser on another machine sees before it has a session. It is served
//! without credentials, self-contained (no UI assets), and its script takes the token from the
//! URL's fragment, so the token never reaches a server log or a `Referer`.

pub const HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · LLM Local Ops Center</title>
<style>
  body { font-family: system-ui, sans-serif; background: #0f1419; color: #e6e6e6; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { box-sizing: border-box; width: min(92vw, 26rem); background: #1a2028; padding: 1.5rem; border-radius: 10px; }
  h1 { font-size: 1.2rem; margin-top: 0; }
  p { line-height: 1.45; color: #b8c0c8; }
  label { display: block; margin: 1rem 0 .3rem; }
  input { width: 100%; box-sizing: border-box; padding: .55rem; border-radius: 6px; border: 1px solid #3a4450; background: #0f1419; color: inherit; font-family: monospace; }
  button { margin-top: 1rem; padding: .55rem 1rem; border-radius: 6px; border: 0; background: #3b82f6; color: white; font-size: 1rem; }
  #error { color: #f87171; min-height: 1.4em; }
  code { font-size: .9em; }
</style>
</head>
<body>
<main>
  <h1>LLM Local Ops Center</h1>
  <p>This server needs a login for devices other than the machine it runs on.
     Open the login link that <code>llmops serve</code> printed, scan its QR code,
     or paste the server token or an API key below.</p>
  <form id="login">
    <label for="token">Token or API key / 令牌或 API 密钥</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required>
    <button type="submit">Log in / 登录</button>
  </form>
  <p id="error" role="alert"></p>
</main>
<script src="/login.js"></script>
</body>
</html>
"#;

pub const SCRIPT: &str = r#""use strict";
(function () {
  var form = document.getElementById("login");
  var input = document.getElementById("token");
  var error = document.getElementById("error");
  function login(token) {
    error.textContent = "";
    fetch("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ token: token })
    }).then(function (response) {
      if (response.ok) { window.location.replace("/"); return; }
      return response.json().then(function (body) {
        error.textContent = (body && body.message) || ("Login failed (" + response.status + ")");
      });
    }).catch(function () { error.textContent = "The server cannot be reached."; });
  }
  var match = /[#&]token=([^&]+)/.exec(window.location.hash);
  if (match) {
    history.replaceState(null, "", window.location.pathname);
    login(decodeURIComponent(match[1]));
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    login(input.value.trim());
  });
})();
"#;
