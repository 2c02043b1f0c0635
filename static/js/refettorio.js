/*
 * Refettorio: the first script of every page, loaded in <head> before any other.
 *
 * Pages work without JavaScript; this only switches on the enhanced styles. The <html>
 * element starts with class "no-js" (the CSS then shows the navigation as a plain list);
 * here it becomes "js", so Bootstrap Italia's collapsible mobile menu takes over.
 *
 * It also stops video.js (inside Bootstrap Italia's bundle) from injecting a <style>
 * element, which the Content-Security-Policy (no inline style) would refuse.
 */
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.remove('no-js');
  root.classList.add('js');
  window.VIDEOJS_NO_DYNAMIC_STYLE = true;
}());
