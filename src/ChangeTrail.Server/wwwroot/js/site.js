// Progressive enhancement only: every page works without this file.
"use strict";

// Live risk: the change form carries the questionnaire (weights, thresholds) as data attributes,
// so the computed risk updates while the requestor answers. The server computes it again on save.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-risk-form]");
  if (!form) return;
  const medium = Number(form.dataset.riskMedium), high = Number(form.dataset.riskHigh);
  const level = (score) => (score >= high ? "High" : score >= medium ? "Medium" : "Low");
  const order = { Low: 0, Medium: 1, High: 2 };

  function update() {
    const scores = {};
    form.querySelectorAll("select[data-dimension]").forEach((select) => {
      const option = select.selectedOptions[0];
      const weight = option && option.dataset.weight ? Number(option.dataset.weight) : 0;
      scores[select.dataset.dimension] = (scores[select.dataset.dimension] || 0) + weight;
    });
    let overall = "Low";
    form.querySelectorAll("[data-risk-output]").forEach((output) => {
      const dimension = output.dataset.riskOutput;
      if (dimension === "Overall") return;
      let value = level(scores[dimension] || 0);
      if (dimension === "Security" && form.querySelector("[data-sensitive='true']:checked") && value === "Low") value = "Medium";
      if (order[value] > order[overall]) overall = value;
      show(output, value);
    });
    const total = form.querySelector('[data-risk-output="Overall"]');
    if (total) show(total, overall);
  }

  function show(output, value) {
    output.textContent = value;
    output.className = "badge risk-" + value;
  }

  form.addEventListener("change", update);
  update();
});
