// The compare page's council picker as an ARIA combobox with a list box (WAI-ARIA APG "editable
// combobox with list autocomplete"). Without JavaScript the input keeps its native <datalist> and
// the "Add council" button submits the typed name.
(function () {
  "use strict";
  var input = document.querySelector("input[data-combobox]");
  if (!input) {
    return;
  }
  var datalist = document.getElementById(input.getAttribute("list"));
  var chosen = document.getElementById(input.dataset.chosen);
  var heading = document.getElementById("chosen-heading");
  var radio = document.getElementById(input.dataset.modeRadio);
  var options = Array.prototype.map.call(datalist.options, function (option) {
    return { name: option.value, code: option.textContent.trim() };
  });
  var listbox = document.createElement("ul");
  listbox.id = input.id + "-listbox";
  listbox.className = "autocomplete-list";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Councils");
  listbox.hidden = true;
  input.parentNode.appendChild(listbox);
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  input.parentNode.appendChild(status);
  input.removeAttribute("list");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  var active = -1;
  var shown = [];

  function chosenCodes() {
    return Array.prototype.map.call(chosen.querySelectorAll("input[name=council]"), function (el) {
      return el.value;
    });
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var items = listbox.children;
    for (var i = 0; i < items.length; i++) {
      items[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function update() {
    var text = input.value.trim().toLowerCase();
    listbox.textContent = "";
    if (!text) {
      close();
      return;
    }
    var taken = chosenCodes();
    var starts = [];
    var contains = [];
    options.forEach(function (option) {
      if (taken.indexOf(option.code) !== -1) {
        return;
      }
      var name = option.name.toLowerCase();
      if (name.indexOf(text) === 0) {
        starts.push(option);
      } else if (name.indexOf(text) !== -1) {
        contains.push(option);
      }
    });
    shown = starts.concat(contains).slice(0, 10);
    shown.forEach(function (option, index) {
      var item = document.createElement("li");
      item.id = listbox.id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = option.name;
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(option);
      });
      listbox.appendChild(item);
    });
    listbox.hidden = shown.length === 0;
    input.setAttribute("aria-expanded", shown.length ? "true" : "false");
    active = -1;
    status.textContent = shown.length ? shown.length + " councils match" : "No council matches";
  }

  function count() {
    var n = chosenCodes().length;
    heading.textContent = n ? "Councils chosen: " + n : "No councils chosen yet";
  }

  function choose(option) {
    var item = document.createElement("li");
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "council";
    hidden.value = option.code;
    var remove = document.createElement("button");
    remove.type = "submit";
    remove.name = "remove";
    remove.value = option.code;
    remove.setAttribute("aria-label", "Remove " + option.name);
    remove.textContent = "×";
    item.appendChild(hidden);
    item.appendChild(document.createTextNode(option.name + " "));
    item.appendChild(remove);
    chosen.appendChild(item);
    if (radio) {
      radio.checked = true;
    }
    input.value = "";
    close();
    count();
    status.textContent = option.name + " added";
  }

  input.addEventListener("input", update);
  input.addEventListener("blur", close);
  input.addEventListener("keydown", function (event) {
    var open = !listbox.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) {
        update();
      }
      if (shown.length) {
        highlight(active + 1 < shown.length ? active + 1 : 0);
      }
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (shown.length) {
        highlight(active > 0 ? active - 1 : shown.length - 1);
      }
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        choose(shown[active]);
      } else if (open && shown.length === 1) {
        event.preventDefault();
        choose(shown[0]);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      } else {
        input.value = "";
      }
    }
  });
  chosen.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=remove]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var name = button.getAttribute("aria-label").replace(/^Remove /, "");
    button.closest("li").remove();
    count();
    status.textContent = name + " removed";
    input.focus();
  });
})();
