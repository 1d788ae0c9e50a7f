// The Embed page's copy buttons (served at /admin/sites/{site}/embed/copy.js, the page's only
// script). Without it the buttons stay hidden and each text stays selectable in its box.
(function () {
  var status = document.getElementById("copy-status");
  function say(what) {
    // Emptied first, so that copying twice is announced twice.
    status.textContent = "";
    setTimeout(function () {
      status.textContent = status.getAttribute(what);
    }, 50);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var box = document.getElementById(button.getAttribute("data-copy"));
    button.hidden = false;
    button.addEventListener("click", function () {
      function byCommand() {
        box.focus();
        box.select();
        say(document.execCommand("copy") ? "data-copied" : "data-failed");
      }
      if (!navigator.clipboard) return byCommand();
      navigator.clipboard.writeText(box.value).then(function () {
        say("data-copied");
      }, byCommand);
    });
  });
})();
