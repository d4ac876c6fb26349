/* stowaway web pages: sort a table by a column, filter its rows (docs/web.md).
 * Plain JavaScript, no library; the pages work without it (the server sorts
 * and filters the image list itself). */
(function () {
  'use strict';
  function cellValue(row, i) {
    var c = row.cells[i];
    if (!c) return '';
    var v = c.getAttribute('data-v');
    return v !== null ? v : c.textContent.trim();
  }
  function sortBy(table, i, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = rows.every(function (r) { var v = cellValue(r, i); return v === '' || !isNaN(Number(v)); });
    rows.sort(function (a, b) {
      var x = cellValue(a, i), y = cellValue(b, i);
      var d = numeric ? (Number(x) - Number(y)) : x.localeCompare(y);
      return asc ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.querySelectorAll('th'), function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
  }
  function setupSort(table) {
    var head = table.tHead;
    if (!head) return;
    Array.prototype.forEach.call(head.rows[0].cells, function (th, i) {
      if (th.classList.contains('nosort')) return;
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = th.textContent;
      b.title = 'Sort by ' + th.textContent;
      th.textContent = '';
      th.appendChild(b);
      b.addEventListener('click', function () { sortBy(table, i, th); });
    });
  }
  function setupFilter(input) {
    var table = document.getElementById(input.getAttribute('data-filter'));
    if (!table || !table.tBodies[0]) return;
    input.addEventListener('input', function () {
      var q = input.value.toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.classList.toggle('hidden', q !== '' && r.textContent.toLowerCase().indexOf(q) < 0);
      });
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), setupSort);
    Array.prototype.forEach.call(document.querySelectorAll('input[data-filter]'), setupFilter);
    Array.prototype.forEach.call(document.querySelectorAll('.filter-box'), function (e) { e.classList.remove('hidden'); });
  });
})();
