// Sends the CSRF token with every htmx request (no inline scripts: the CSP forbids them).
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.body.getAttribute("data-csrf");
  if (token) { event.detail.headers["x-csrftoken"] = token; }
});
