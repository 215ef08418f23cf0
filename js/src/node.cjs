// The package in Node, as a CommonJS module: the wasm is loaded synchronously on
// require, so the functions work at once (init() is there for code shared with browsers).
"use strict";
const glue = require("./glue.cjs");
const { bind } = require("./core.cjs");

const latin1 = (buffer) => {
  const bytes = Buffer.from(buffer);
  return (start, end) => bytes.latin1Slice(start, end);
};
const api = bind(glue, glue.linear_memory(), latin1);

exports.validateAnalyticsQuery = api.validateAnalyticsQuery;
exports.validateAnalyticsRequest = api.validateAnalyticsRequest;
exports.validateSecretKey = api.validateSecretKey;
/** Nothing to wait for in Node: the module is ready on require. */
exports.init = async function init() {};
/** Nothing to do in Node: the module is ready on require. */
exports.initSync = function initSync() {};
