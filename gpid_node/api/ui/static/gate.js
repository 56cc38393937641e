// The gate page's camera: the browser's own QR decoder (BarcodeDetector) fills the form and sends it.
// Without BarcodeDetector or a camera the button stays hidden and pasting works as before.
(function () {
  "use strict";
  var scanner = document.getElementById("scanner");
  var form = document.getElementById("gate-form");
  var field = document.getElementById("document");
  if (!scanner || !form || !field) return;
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var button = document.getElementById("scan");
  var video = document.getElementById("camera");
  var status = document.getElementById("scan-status");
  scanner.hidden = false;

  function stop(stream) {
    stream.getTracks().forEach(function (track) { track.stop(); });
    video.hidden = true;
  }

  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    status.textContent = "Starting the camera…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      var playing = video.play();
      if (playing && playing.catch) playing.catch(function () {});
      status.textContent = "Hold the QR code in front of the camera.";
      var look = function () {
        detector.detect(video).then(function (codes) {
          var found = codes.filter(function (code) { return code.rawValue; })[0];
          if (!found) { window.setTimeout(look, 150); return; }
          stop(stream);
          field.value = found.rawValue;
          status.textContent = "Read. Checking…";
          form.submit();
        }, function () { window.setTimeout(look, 300); });
      };
      look();
    }, function (error) {
      status.textContent = "The camera cannot be used (" + error.name + "): paste the disclosure instead.";
    });
  });
})();
