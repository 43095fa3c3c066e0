/* Autocomplete for the search boxes: the header's and the search page's own, the only one a phone
   shows there without opening the menu (progressive enhancement: without it the form just submits).
   Each search box keeps its searchbox role and points at a listbox of suggestions (aria-autocomplete,
   aria-controls, aria-activedescendant; a status message announces how many): arrow keys move through
   the suggestions, Enter opens one, Escape closes them. */
(function () {
  "use strict";
  if (!window.fetch) { return; }
  document.querySelectorAll("input[data-autocomplete-url]").forEach(enhance);

  function enhance(input) {
    var url = input.getAttribute("data-autocomplete-url");
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var items = [], active = -1, timer = null, latest = 0;
    list.id = input.id + "-suggestions";
    list.className = "autocomplete-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.parentNode.style.position = "relative";
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);

    function close() {
      list.hidden = true; active = -1;
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (el, i) { el.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) { input.setAttribute("aria-activedescendant", options[index].id); }
    }
    function render(results) {
      items = results; list.innerHTML = "";
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label + " (" + item.type + ")";
        li.addEventListener("mousedown", function (event) { event.preventDefault(); window.location.href = item.url; });
        list.appendChild(li);
      });
      status.textContent = results.length ? results.length + " suggestions, use the arrow keys to choose" : "";
      if (results.length) { list.hidden = false; } else { close(); }
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var value = input.value.trim();
      if (value.length < 2) { render([]); return; }
      timer = setTimeout(function () {
        var request = ++latest;
        fetch(url + "?q=" + encodeURIComponent(value), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { if (request === latest) { render(data.results || []); } })
          .catch(function () { render([]); });
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, -1)); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0 && items[active].url) {
        event.preventDefault(); window.location.href = items[active].url;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }
})();
