/* SkyLight dashboard behaviour: small, progressive enhancements only. */
(function () {
  "use strict";

  // Scripts run: the phone layout may fold the navigation into a menu (no inline
  // script sets this, so the Content-Security-Policy allows no inline script at all).
  document.documentElement.classList.add("js");

  function on(eventName, selector, handler) {
    document.addEventListener(eventName, function (event) {
      var target = event.target.closest(selector);
      if (target) handler(event, target);
    });
  }

  // Copy a value shown once (API keys, webhook URLs).
  on("click", "[data-copy]", function (event, button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = source.value !== undefined && source.tagName === "INPUT" ? source.value : source.textContent.trim();
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { document.execCommand("copy"); done(); } catch (e) { /* selected for manual copy */ }
    }
  });

  // Account switcher: switch on change (the Switch button stays for keyboards and no-JS).
  on("change", "select[data-autosubmit]", function (event, select) {
    select.form.requestSubmit();
  });

  // ---- Message sequence editor: add, remove, reorder rows ----
  function sequence(el) { return el.closest("[data-sequence]"); }
  function notifyChange(list) {
    list.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function syncRow(row) {
    var type = row.querySelector("[name=message_type]");
    if (type) row.setAttribute("data-type", type.value);
    var content = row.querySelector("[name=message_content]");
    var label = row.querySelector("[data-content-label]");
    if (label) label.textContent = type && type.value !== "text" ? "Media URL" : "Text";
    if (content) content.setAttribute("placeholder", type && type.value !== "text" ? "https://example.com/file.jpg" : "Hi {{first_name|there}}! …");
  }
  function renumber(list) {
    var rows = list.querySelectorAll(".msg-row");
    rows.forEach(function (row, index) {
      row.querySelectorAll("[data-move=up]").forEach(function (b) { b.disabled = index === 0; });
      row.querySelectorAll("[data-move=down]").forEach(function (b) { b.disabled = index === rows.length - 1; });
      row.querySelectorAll("[data-remove]").forEach(function (b) { b.disabled = rows.length === 1; });
      row.querySelectorAll("[id]").forEach(function (field) {
        var base = field.id.replace(/-\d+$/, "");
        var label = row.querySelector('label[for="' + field.id + '"]');
        field.id = base + "-" + index;
        if (label) label.setAttribute("for", field.id);
      });
    });
  }
  on("click", "[data-add-message]", function (event, button) {
    var root = sequence(button);
    var list = root.querySelector(".sequence");
    var template = root.querySelector("template");
    list.appendChild(template.content.cloneNode(true));
    var rows = list.querySelectorAll(".msg-row");
    var added = rows[rows.length - 1];
    if (window.htmx) window.htmx.process(added);  // its template picker asks the server
    syncRow(added);
    renumber(list);
    added.querySelector("textarea").focus();
  });
  on("click", "[data-remove]", function (event, button) {
    var row = button.closest(".msg-row");
    var list = row.parentElement;
    if (list.querySelectorAll(".msg-row").length < 2) return;
    row.remove();
    renumber(list);
    notifyChange(list);  // the live preview follows the sequence
    var first = list.querySelector(".msg-row [data-remove]");
    if (first) first.focus();
  });
  on("click", "[data-move]", function (event, button) {
    var row = button.closest(".msg-row");
    var list = row.parentElement;
    if (button.getAttribute("data-move") === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (button.getAttribute("data-move") === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    }
    renumber(list);
    notifyChange(list);
    button.disabled ? row.querySelector("[name=message_content]").focus() : button.focus();
  });
  on("change", "[name=message_type]", function (event, select) {
    syncRow(select.closest(".msg-row"));
  });

  function init(root) {
    root.querySelectorAll("[data-sequence] .sequence").forEach(function (list) {
      list.querySelectorAll(".msg-row").forEach(syncRow);
      renumber(list);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();

/* Upload progress for forms with an htmx indicator that holds a <progress data-upload-progress>. */
(function () {
  "use strict";
  function parts(elt) {
    var selector = elt.getAttribute && elt.getAttribute("hx-indicator");
    var box = selector ? document.querySelector(selector) : null;
    return box ? { bar: box.querySelector("[data-upload-progress]"), label: box.querySelector("[data-upload-label]") } : null;
  }
  document.addEventListener("htmx:xhr:progress", function (event) {
    var p = parts(event.detail.elt);
    if (!p || !p.bar || !event.detail.lengthComputable) return;
    var pct = Math.round((event.detail.loaded / event.detail.total) * 100);
    p.bar.value = pct;
    if (p.label) p.label.textContent = pct < 100 ? "Uploading… " + pct + "%" : "Importing rows…";
  });
})();

/* Repeatable rows (segment conditions): add, remove, and operators valid for the field. */
(function () {
  "use strict";
  function rowsRoot(el) { return el.closest("[data-rows]"); }
  function changed(root) { root.dispatchEvent(new CustomEvent("rows-changed", { bubbles: true })); }
  function syncCondition(row) {
    var root = rowsRoot(row);
    var field = row.querySelector("[name=cond_field]");
    if (!field || !root) return;
    row.setAttribute("data-field", field.value);
    var allowed = JSON.parse(root.getAttribute("data-operators") || "{}")[field.value] || [];
    var op = row.querySelector("[name=cond_op]");
    Array.prototype.forEach.call(op.options, function (option) {
      option.disabled = allowed.length > 0 && allowed.indexOf(option.value) === -1;
      option.hidden = option.disabled;
    });
    if (op.selectedOptions[0] && op.selectedOptions[0].disabled) op.value = allowed[0];
  }
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var root = rowsRoot(add);
      var list = root.querySelector("[data-row-list]");
      list.appendChild(root.querySelector("template").content.cloneNode(true));
      var row = list.lastElementChild;
      syncCondition(row);
      row.querySelector("select, input").focus();
      changed(root);
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var rootR = rowsRoot(remove);
      remove.closest("li").remove();
      changed(rootR);
      var next = rootR.querySelector("[data-remove-row]") || rootR.querySelector("[data-add-row]");
      if (next) next.focus();
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("[name=cond_field]")) syncCondition(event.target.closest("li"));
  });
  function init(root) { root.querySelectorAll("[data-rows] [data-row-list] > li").forEach(syncCondition); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();

/* Segment preview: errors about a condition are shown under that condition's row. */
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var data = document.getElementById("segment-row-errors");
    if (!data || !event.detail.elt.closest || !event.detail.elt.closest("#segment-form")) return;
    var errors = JSON.parse(data.textContent || "[]") || [];
    var rows = document.querySelectorAll("#segment-form [data-row-list] > li");
    rows.forEach(function (row, index) {
      var note = row.querySelector("[data-cond-error]");
      if (!note) return;
      var message = errors[index] || "";
      note.textContent = message;
      note.hidden = !message;
      row.classList.toggle("has-error", !!message);
    });
  });
})();

/* Form error summary: focus moves to it when a form comes back with errors; its links
   move focus to the field they name. */
(function () {
  "use strict";
  function focusSummary(root) {
    var summary = root.querySelector ? root.querySelector("[data-error-summary]") : null;
    if (!summary && root.matches && root.matches("[data-error-summary]")) summary = root;
    if (summary) summary.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  document.addEventListener("htmx:load", function (event) { focusSummary(event.detail.elt); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-link]");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
})();

/* Phone menu and scroll cues for tables wider than the screen. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
    if (open) { var first = nav.querySelector("a"); if (first) first.focus(); }
  });
  function markScrolling() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls) wrap.setAttribute("data-scrolls", "");
      else wrap.removeAttribute("data-scrolls");
      var cue = wrap.nextElementSibling;
      if (scrolls && !(cue && cue.classList.contains("scroll-cue"))) {
        cue = document.createElement("p");
        cue.className = "scroll-cue";
        cue.setAttribute("aria-hidden", "true");
        cue.textContent = document.body.getAttribute("data-scroll-cue") || "Scroll sideways to see more";
        wrap.parentNode.insertBefore(cue, wrap.nextSibling);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", markScrolling);
  document.addEventListener("htmx:afterSettle", markScrolling);
  window.addEventListener("resize", markScrolling);
})();

/* Live regions refresh on a timer; a refresh never replaces the element that has focus
   (the next refresh comes a few seconds later anyway). */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var region = event.detail.target;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-live-region")) return;
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (elt !== region) return;  // a click inside the region (tab, paging) always swaps
    if (region.contains(document.activeElement) && document.activeElement !== document.body) {
      event.detail.shouldSwap = false;
    }
  });
})();
