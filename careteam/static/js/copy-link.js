// Copy an invitation link with one press. Without JavaScript (or without clipboard access) the
// button stays hidden and the link remains selectable text in its read-only field.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-copy-target]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field || !status || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          status.textContent = "Link copied. Paste it into your message.";
        },
        function () {
          field.focus();
          field.select();
          status.textContent = "Copying did not work here. The link is selected: copy it from the menu or keyboard.";
        }
      );
    });
  });
})();
