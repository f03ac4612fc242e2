/* A file field's own button and "no file chosen" text come from the browser, in the
   browser's language, whatever language the page is in. Each file field gets a button and
   a line of chosen names in the page's language; the field itself stays in the form, keeps
   its label and keyboard focus, and is only hidden from sight. Without JavaScript the
   browser's own control shows. */
(function () {
  "use strict";

  function words() {
    return document.body.dataset;
  }

  function chosenText(input) {
    var files = input.files;
    if (!files || files.length === 0) {
      return words().fileNone;
    }
    if (files.length === 1) {
      return files[0].name;
    }
    return words().filesChosen.replace("{count}", String(files.length));
  }

  function enhance(input) {
    if (input.hasAttribute("data-file-choice")) {
      return;
    }
    input.setAttribute("data-file-choice", "");
    var choice = document.createElement("span");
    choice.className = "file-choice";
    choice.setAttribute("aria-hidden", "true");
    var button = document.createElement("span");
    button.className = "file-button";
    button.setAttribute("data-testid", "file-button");
    button.textContent = input.multiple ? words().fileChooseMany : words().fileChoose;
    var names = document.createElement("span");
    names.className = "file-names";
    names.setAttribute("data-testid", "file-names");
    names.textContent = chosenText(input);
    choice.appendChild(button);
    choice.appendChild(names);
    button.addEventListener("click", function () {
      if (!input.disabled) {
        input.click();
      }
    });
    input.addEventListener("change", function () {
      names.textContent = chosenText(input);
    });
    input.form && input.form.addEventListener("reset", function () {
      window.setTimeout(function () {
        names.textContent = chosenText(input);
      });
    });
    input.classList.add("file-input-hidden");
    input.insertAdjacentElement("afterend", choice);
  }

  function enhanceAll(root) {
    if (!words().fileChoose) {
      return;
    }
    root.querySelectorAll('input[type="file"]').forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceAll(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enhanceAll(event.target);
  });
})();
