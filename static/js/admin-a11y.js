"use strict";
// The admin's autocomplete fields (Select2) show a combobox whose accessible name points
// at an empty placeholder, so a screen reader announces an unnamed field (axe-core:
// aria-input-field-name). Name each combobox after the <label> of the <select> it
// replaces, whenever Select2 draws one (on load and in new inline rows).
{
    const nameComboboxes = (root) => {
        root.querySelectorAll(".select2-container").forEach((container) => {
            const select = container.previousElementSibling;
            const label = select && select.id && document.querySelector(`label[for="${select.id}"]`);
            if (!label) {
                return;
            }
            const name = label.textContent.replace(/:\s*$/, "").trim();
            container.querySelectorAll('[role="combobox"], [role="textbox"]').forEach((element) => {
                element.setAttribute("aria-label", name);
            });
        });
    };
    const observer = new MutationObserver((mutations) => {
        if (mutations.some((mutation) => mutation.addedNodes.length)) {
            nameComboboxes(document);
        }
    });
    document.addEventListener("DOMContentLoaded", () => {
        nameComboboxes(document);
        observer.observe(document.body, {childList: true, subtree: true});
    });
}
