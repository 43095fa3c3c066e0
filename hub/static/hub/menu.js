// The header menu on a phone (a button that shows and hides the links; without JavaScript the
// button stays hidden and every link is shown), and filters that fold away on a phone.
(function () {
  "use strict";
  // Filters that fold away on a phone (shown open on wider screens and without JavaScript).
  if (window.matchMedia("(max-width: 48rem)").matches) {
    document.querySelectorAll("details[data-fold-on-phone]").forEach(function (details) {
      details.open = false;
    });
  }
  var button = document.querySelector(".menu-button");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) {
    return;
  }
  var header = button.closest(".site-header");
  header.classList.add("menu-ready");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" && menu.contains(document.activeElement)) {
      button.setAttribute("aria-expanded", "false");
      menu.classList.remove("open");
      button.focus();
    }
  });
})();
