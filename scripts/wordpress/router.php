<?php
// PHP's built-in server in front of Debian's WordPress (scripts/wordpress.sh): files under
// /wp-content/ come from /var/lib/wordpress/wp-content (uploads, the test plugin), other
// existing files from /usr/share/wordpress, everything else goes to WordPress's index.php
// (so /wp-json/… works with pretty permalinks).
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (str_contains($path, '..')) {
    http_response_code(400);
    return true;
}
if (str_starts_with($path, '/wp-content/')) {
    $file = '/var/lib/wordpress' . $path;
    if (is_file($file) && !str_ends_with($file, '.php')) {
        $types = ['jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg', 'png' => 'image/png',
                  'css' => 'text/css', 'js' => 'text/javascript', 'svg' => 'image/svg+xml'];
        $extension = strtolower(pathinfo($file, PATHINFO_EXTENSION));
        header('Content-Type: ' . ($types[$extension] ?? 'application/octet-stream'));
        header('Content-Length: ' . filesize($file));
        readfile($file);
        return true;
    }
}
if ($path !== '/' && is_file('/usr/share/wordpress' . $path)) {
    return false; // PHP files run, other files are served as they are
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = '/usr/share/wordpress/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
require '/usr/share/wordpress/index.php';
