// Forms marked data-warn-unsaved ask before the user leaves with unsaved changes.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-warn-unsaved]").forEach((form) => {
    let dirty = false;
    form.addEventListener("input", () => { dirty = true; });
    form.addEventListener("submit", () => { dirty = false; });
    window.addEventListener("beforeunload", (event) => {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  });
  // Buttons with data-confirm ask before they submit (destructive actions).
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
  // The Content Security Policy allows no inline code: what templates would write as onclick=, <script>
  // or style= is done here from data attributes.
  // A checkbox with data-select-all ticks every box its value selects (default: the "selection" boxes).
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    const selector = box.dataset.selectAll || 'input[type="checkbox"][name="selection"]';
    box.addEventListener("change", () => {
      document.querySelectorAll(selector).forEach((item) => { item.checked = box.checked; });
    });
  });
  // data-progress="42" sets a bar's width to 42% (capped at 100).
  document.querySelectorAll("[data-progress]").forEach((bar) => {
    const value = Math.max(0, Math.min(100, parseFloat(bar.dataset.progress) || 0));
    bar.style.width = `${value}%`;
  });
  // A form sent back with errors: its summary (role="alert") is read out, and the keyboard lands on the first
  // field to correct (Django marks it aria-invalid), else on the summary itself.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    const form = summary.closest("form");
    const invalid = form && form.querySelector('[aria-invalid="true"]');
    (invalid || summary).focus();
  }
  // A form with data-month-path="/reports/" goes to /reports/<year>/<month>/ for its month input.
  document.querySelectorAll("form[data-month-path]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const parts = (form.elements.month && form.elements.month.value || "").split("-");
      if (parts.length === 2) {
        event.preventDefault();
        window.location = `${form.dataset.monthPath}${parts[0]}/${parseInt(parts[1], 10)}/`;
      }
    });
  });
  // A captcha picture draws a new code when clicked (the old code is forgotten by the server).
  document.querySelectorAll("img[data-captcha-refresh]").forEach((image) => {
    image.addEventListener("click", () => {
      const url = new URL(image.src, window.location.href);
      url.searchParams.set("t", Date.now().toString());
      image.src = url.toString();
    });
  });
});
