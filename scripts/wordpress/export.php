<?php
// WordPress's own export of the test site (Tools → Export → All content: the WXR file) to
// standard output, for the import test in tests/e2e/wordpress.test.mjs. Run with AW_WP_HOST
// set to the test server's address, as setup.php is.
$_SERVER['HTTP_HOST'] = getenv('AW_WP_HOST');
$_SERVER['REQUEST_URI'] = '/';
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/export.php';
export_wp(['content' => 'all']);
