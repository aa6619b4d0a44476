// Staff console behaviour that must not be inline (the Content-Security-Policy forbids inline script).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]")) {
    target.form.submit();
  }
});
