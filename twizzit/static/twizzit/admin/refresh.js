// Live progress without a page reload: an element with data-refresh-url and
// data-active="1" is re-fetched every 2 s and replaced by the server's fresh HTML,
// until the server answers with data-active="0" (the run ended: its result shows).
(function () {
  "use strict";
  function refresh(element) {
    fetch(element.dataset.refreshUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var fresh = holder.content.firstElementChild;
        element.replaceWith(fresh);
        watch(fresh);
      })
      .catch(function () { setTimeout(function () { refresh(element); }, 5000); });
  }
  function watch(element) {
    if (element.dataset.active === "1") setTimeout(function () { refresh(element); }, 2000);
  }
  document.querySelectorAll("[data-refresh-url]").forEach(watch);
})();
