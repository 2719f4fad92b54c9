'use strict';
// The compiled addon; node-gyp puts it in build/Release (build/Debug with --debug).
module.exports = require('./build/Release/gpio_cdev.node');
