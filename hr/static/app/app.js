// Sends the CSRF token with every htmx request (no inline scripts: the CSP forbids them).
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.body.getAttribute("data-csrf");
  if (token) { event.detail.headers["x-csrftoken"] = token; }
});

// Report form: show only the section for the chosen kind (all are shown without JavaScript).
function hrShowKindSections(form) {
  var chosen = form.querySelector('input[name="kind"]:checked');
  var kind = chosen ? chosen.value : "";
  form.querySelectorAll(".app-kind-section").forEach(function (section) {
    section.hidden = section.getAttribute("data-kind") !== kind;
  });
  // A field required for some kinds only is marked as required when one of them is chosen.
  form.querySelectorAll("[data-required-for]").forEach(function (mark) {
    mark.hidden = mark.getAttribute("data-required-for").split(" ").indexOf(kind) === -1;
  });
}

// Keeps a copy of the form in this tab's sessionStorage, so a dropped connection, a reload or an
// expired session loses nothing; cleared once the report is submitted. Normally the copy fills
// only empty text fields (the server's draft is as new); back from a login ("data-restore-all")
// the copy is newer than anything the server holds, so it wins for every field.
function hrFormCopy(form) {
  var data = {};
  Array.prototype.forEach.call(form.elements, function (f) {
    if (!f.name || f.type === "hidden" || f.type === "submit" || f.type === "button" || f.type === "file") { return; }
    if (f.type === "checkbox") {
      data[f.name] = data[f.name] || [];
      if (f.checked) { data[f.name].push(f.value); }
    } else if (f.type === "radio") {
      if (f.checked) { data[f.name] = f.value; } else if (!(f.name in data)) { data[f.name] = ""; }
    } else {
      data[f.name] = f.value;
    }
  });
  return data;
}

function hrRestore(form, data, everything) {
  Object.keys(data).forEach(function (name) {
    var value = data[name];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
      if (field.type === "checkbox") {
        if (everything) { field.checked = value.indexOf(field.value) !== -1; }
      } else if (field.type === "radio") {
        if (everything) { field.checked = field.value === value; }
      } else if (everything || ((field.tagName === "TEXTAREA" || field.type === "text") && !field.value)) {
        field.value = value;
        // A restored answer among the optional fields is shown, not left folded away.
        var folded = value && field.closest("details");
        if (folded) { folded.open = true; }
      }
    });
  });
}

function hrSessionDraft(form) {
  var key = "hr-draft-" + form.getAttribute("data-session-draft");
  var everything = form.hasAttribute("data-restore-all");
  var saved = sessionStorage.getItem(key);
  if (saved) {
    try {
      hrRestore(form, JSON.parse(saved), everything);
      // Back from a login: what came back goes to the server's draft too (autosave listens for change).
      if (everything) { setTimeout(function () { form.dispatchEvent(new Event("change", { bubbles: true })); }, 500); }
    } catch (e) { sessionStorage.removeItem(key); }
  }
  var keep = function () { sessionStorage.setItem(key, JSON.stringify(hrFormCopy(form))); };
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
}

// A form that came back with errors: the summary gets focus, so a screen reader reads it and a
// keyboard user starts there (its links lead to each field).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".app-error-summary");
  if (summary) { summary.focus(); }
});

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.app-report").forEach(function (form) {
    if (form.hasAttribute("data-session-draft")) { hrSessionDraft(form); }
    hrShowKindSections(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") { hrShowKindSections(form); }
    });
  });
  document.querySelectorAll("[data-clear-session-draft]").forEach(function (el) {
    sessionStorage.removeItem("hr-draft-" + el.getAttribute("data-clear-session-draft"));
  });
});

// Participant picker: a person ticked among the search results joins the chosen ones, so a new
// search (which replaces the results) keeps them.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("#participant-results input[type=checkbox]") || !box.checked) { return; }
  var chosen = document.getElementById("participant-chosen");
  if (chosen) { chosen.appendChild(box.closest(".form-group-checkbox")); }
});

// Small screens: the menus fold behind a Menu button (DKFDS's mobile navigation), so the header
// takes little of the screen; without JavaScript the menus simply show.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".app-menu-button");
  var menus = document.getElementById("app-menus");
  if (!button || !menus) { return; }
  button.hidden = false;
  document.documentElement.classList.add("app-js");
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menus.classList.toggle("app-menus--open", open);
  });
});

// Report form: the unit's colleagues filtered by what is typed (those ticked always show).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector(".app-staff-filter");
  var input = document.getElementById("staff-filter");
  if (!box || !input) { return; }
  box.hidden = false;
  function filter() {
    var wanted = input.value.trim().toLowerCase();
    document.querySelectorAll("#staff-list .form-group-checkbox").forEach(function (row) {
      var label = row.querySelector("label");
      var ticked = row.querySelector("input").checked;
      row.hidden = !ticked && wanted !== "" && label.textContent.toLowerCase().indexOf(wanted) === -1;
    });
  }
  input.addEventListener("input", filter);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "staff-list") { filter(); }
  });
});

// A link to a step of the follow-up (#support) opens that step's fold.
function hrOpenTarget() {
  var target = location.hash && document.getElementById(location.hash.slice(1));
  var fold = target && (target.tagName === "DETAILS" ? target : target.closest("details"));
  if (fold) { fold.open = true; }
}
window.addEventListener("hashchange", hrOpenTarget);
document.addEventListener("DOMContentLoaded", hrOpenTarget);

// Logging out forgets this tab's copies of report drafts: a shared phone keeps nothing of the
// person who used it. (A session that merely expires keeps them, to bring the report back.)
document.addEventListener("submit", function (event) {
  if (!event.target.matches || !event.target.matches('form[action="/logout"]')) { return; }
  Object.keys(sessionStorage).forEach(function (key) {
    if (key.indexOf("hr-draft-") === 0) { sessionStorage.removeItem(key); }
  });
});
