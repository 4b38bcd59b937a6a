// Count an answer's characters against its limit as the official types: <textarea data-limit data-counter>.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("textarea[data-limit]")) {
    const counter = document.getElementById(box.dataset.counter);
    const limit = Number(box.dataset.limit);
    const update = () => {
      // Characters as the server counts them (code points, line ends as one, outer spaces trimmed).
      const length = Array.from(box.value.replace(/\r\n/g, "\n").trim()).length;
      counter.textContent = `${length} / ${limit} 字` + (length > limit ? `，超出 ${length - limit} 字` : "");
      counter.classList.toggle("over", length > limit);
    };
    box.addEventListener("input", update);
    update();
  }
});
