<?php
// Installs WordPress into the empty database named in /etc/wordpress/config-127.0.0.1.php and
// writes the test site through WordPress's own functions (scripts/wordpress.sh runs it with
// HTTP_HOST set to the test server's address). Prints what the tests need as JSON.
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = getenv('AW_WP_HOST');
$_SERVER['REQUEST_URI'] = '/';
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
add_filter('pre_wp_mail', '__return_true'); // no mail from the test site

$fail = function ($what, $result) {
    fwrite(STDERR, "$what: " . (is_wp_error($result) ? $result->get_error_message() : var_export($result, true)) . "\n");
    exit(1);
};

$installed = wp_install('Tehran Times Test Site', 'admin', 'admin@example.org', true, '', wp_generate_password(24));
$admin = (int) $installed['user_id'];
update_option('permalink_structure', '/%year%/%monthnum%/%postname%/');
update_option('WPLANG', '');
update_option('timezone_string', 'Asia/Tehran'); // `date` is local, `date_gmt` UTC
update_option('comment_previously_approved', 1); // WordPress's default: a new author is held
update_option('thread_comments_depth', 5);
flush_rewrite_rules(true);
kses_remove_filters(); // as an editor with unfiltered_html writes: nothing is sanitised

$author = wp_insert_user(['user_login' => 'maryam', 'user_pass' => wp_generate_password(24),
    'display_name' => 'Maryam Rahimi', 'role' => 'author', 'user_url' => 'https://example.org/maryam']);
if (is_wp_error($author)) $fail('author', $author);
$breaking = wp_insert_term('Breaking News', 'category');
if (is_wp_error($breaking)) $fail('category', $breaking);
$breaking = (int) $breaking['term_id'];

// A photograph-like JPEG, so WordPress makes its sizes (and srcset) from it.
function make_image($name, $width, $height, $hue) {
    $image = imagecreatetruecolor($width, $height);
    for ($y = 0; $y < $height; $y += 4) {
        $shade = (int) (80 + 120 * $y / $height);
        $colour = imagecolorallocate($image, ($shade + $hue) % 256, $shade, (int) (255 - $shade / 2));
        imagefilledrectangle($image, 0, $y, $width, $y + 3, $colour);
    }
    $upload = wp_upload_dir();
    $path = $upload['path'] . "/$name.jpg";
    imagejpeg($image, $path, 80);
    return $path;
}
function attach($path, $parent, $alt, $caption) {
    $id = wp_insert_attachment(['post_mime_type' => 'image/jpeg', 'post_title' => basename($path, '.jpg'),
        'post_excerpt' => $caption, 'post_status' => 'inherit'], $path, $parent, true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }
    wp_update_attachment_metadata($id, wp_generate_attachment_metadata($id, $path));
    update_post_meta($id, '_wp_attachment_image_alt', $alt);
    return $id;
}

$make_post = function ($fields) use ($fail, $author, $breaking) {
    $id = wp_insert_post(array_merge(['post_status' => 'publish', 'post_author' => $author,
        'post_category' => [$breaking], 'comment_status' => 'open'], $fields), true);
    if (is_wp_error($id)) $fail('post', $id);
    return $id;
};

// 1. Every block type WordPress 6.1's editor writes, a featured image, comments in threads.
$blocks = $make_post(['post_title' => 'Tehran &amp; Moscow sign a <em>20-year</em> treaty', 'post_name' => 'treaty',
    'post_date_gmt' => '2026-11-20 08:30:00', 'post_date' => '2026-11-20 12:00:00',
    'post_modified_gmt' => '2026-11-21 09:15:00', 'tags_input' => ['Russia', 'Iran']]);
$featured = attach(make_image('signing', 1600, 900, 0), $blocks, 'The two presidents at the signing', 'The signing in <b>Moscow</b> on Friday');
$inline = attach(make_image('pipeline', 1200, 800, 90), $blocks, 'A gas pipeline in the snow', '');
set_post_thumbnail($blocks, $featured);
$inline_url = wp_get_attachment_image_url($inline, 'large');
$content = <<<HTML
<!-- wp:paragraph -->
<p>Iran and Russia signed a <strong>comprehensive strategic partnership</strong> on <em>Friday</em>, the <a href="https://example.org/treaty-text">full text</a> says. It's "the start of a new era".</p>
<!-- /wp:paragraph -->

<!-- wp:heading -->
<h2>What the treaty covers</h2>
<!-- /wp:heading -->

<!-- wp:heading {"level":3} -->
<h3>Energy and grain</h3>
<!-- /wp:heading -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><!-- wp:paragraph -->
<p>This treaty opens a new chapter.</p>
<!-- /wp:paragraph --><cite>The foreign minister</cite></blockquote>
<!-- /wp:quote -->

<!-- wp:list -->
<ul><!-- wp:list-item -->
<li>Gas through the <a href="https://example.org/corridor">northern corridor</a></li>
<!-- /wp:list-item -->

<!-- wp:list-item -->
<li>Grain and fertiliser</li>
<!-- /wp:list-item --></ul>
<!-- /wp:list -->

<!-- wp:list {"ordered":true} -->
<ol><!-- wp:list-item -->
<li>Ratification by both parliaments</li>
<!-- /wp:list-item -->

<!-- wp:list-item -->
<li>Entry into force</li>
<!-- /wp:list-item --></ol>
<!-- /wp:list -->

<!-- wp:image {"id":$inline,"sizeSlug":"large","linkDestination":"none"} -->
<figure class="wp-block-image size-large"><img src="$inline_url" alt="A gas pipeline in the snow" class="wp-image-$inline"/><figcaption class="wp-element-caption">The corridor near Astara</figcaption></figure>
<!-- /wp:image -->

<!-- wp:embed {"url":"https://www.youtube.com/watch?v=aw-treaty","type":"video","providerNameSlug":"youtube","responsive":true} -->
<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=aw-treaty
</div><figcaption class="wp-element-caption">The signing ceremony</figcaption></figure>
<!-- /wp:embed -->

<!-- wp:group -->
<div class="wp-block-group"><!-- wp:paragraph -->
<p>A paragraph inside a group block.</p>
<!-- /wp:paragraph --></div>
<!-- /wp:group -->
HTML;
wp_update_post(['ID' => $blocks, 'post_content' => $content]);

$make_comment = function ($post_id, $fields) use ($fail) {
    $id = wp_insert_comment(array_merge(['comment_post_ID' => $post_id, 'comment_approved' => 1,
        'comment_author_email' => 'reader@example.org', 'comment_type' => 'comment'], $fields));
    if (!$id) $fail('comment', $id);
    return $id;
};
$first = $make_comment($blocks, ['comment_author' => 'Sara', 'comment_author_url' => 'https://example.org/sara',
    'comment_content' => "A first comment.\nWith a second line.\n\nAnd a second paragraph &amp; more.", 'comment_date_gmt' => '2026-11-20 09:00:00', 'comment_date' => '2026-11-20 12:30:00']);
$reply = $make_comment($blocks, ['comment_author' => 'Omid', 'comment_parent' => $first,
    'comment_content' => 'A reply to Sara.', 'comment_date_gmt' => '2026-11-20 10:00:00', 'comment_date' => '2026-11-20 13:30:00']);
$make_comment($blocks, ['comment_author' => 'Lena', 'comment_content' => 'A second thread.',
    'comment_date_gmt' => '2026-11-20 11:00:00', 'comment_date' => '2026-11-20 14:30:00']);
$make_comment($blocks, ['comment_author' => 'Sara', 'comment_parent' => $reply,
    'comment_content' => 'A reply to the reply.', 'comment_date_gmt' => '2026-11-20 12:00:00', 'comment_date' => '2026-11-20 15:30:00']);
$make_comment($blocks, ['comment_author' => 'Held', 'comment_approved' => 0,
    'comment_content' => 'Awaiting moderation, never shown.', 'comment_date_gmt' => '2026-11-20 12:30:00', 'comment_date' => '2026-11-20 16:00:00']);

// 2. More comments than one page of the REST API (100).
$long = $make_post(['post_title' => 'A long discussion', 'post_name' => 'long-discussion',
    'post_content' => "<!-- wp:paragraph -->\n<p>Many readers wrote in.</p>\n<!-- /wp:paragraph -->",
    'post_date_gmt' => '2026-11-18 08:00:00', 'post_date' => '2026-11-18 11:30:00']);
for ($n = 1; $n <= 130; $n++) {
    $time = gmdate('Y-m-d H:i:s', strtotime('2026-11-18 09:00:00 UTC') + 60 * $n);
    $make_comment($long, ['comment_author' => "Reader $n", 'comment_content' => "Comment number $n.",
        'comment_date_gmt' => $time, 'comment_date' => $time]);
}

// 3. Comments closed; 4. a login required (see the must-use plugin); 5. a page.
$closed = $make_post(['post_title' => 'Comments are closed here', 'post_name' => 'closed', 'comment_status' => 'closed',
    'post_content' => "<p>No comments on this one.</p>", 'post_date_gmt' => '2026-11-17 08:00:00']);
$members = $make_post(['post_title' => 'Members only', 'post_name' => 'members-only',
    'post_content' => "<p>Only members may comment.</p>", 'post_date_gmt' => '2026-11-16 08:00:00']);
$page = $make_post(['post_type' => 'page', 'post_title' => 'About us', 'post_name' => 'about',
    'post_content' => "<!-- wp:paragraph -->\n<p>We report from Tehran.</p>\n<!-- /wp:paragraph -->",
    'post_date_gmt' => '2026-01-01 08:00:00', 'comment_status' => 'closed']);

// 6. Everything an editor with unfiltered_html can write, none of which may act.
$hostile = $make_post(['post_title' => 'Hostile <script>window.__hostile="title"</script>markup', 'post_name' => 'hostile',
    'post_date_gmt' => '2026-11-15 08:00:00', 'post_content' => <<<'HTML'
<p>Before <script>window.__hostile = 'script'</script>after.</p>
<p><img src="x" onerror="window.__hostile='onerror'"> <a href="javascript:window.__hostile='link'">javascript link</a> <a href="https://example.org/" onclick="window.__hostile='onclick'" style="position:fixed;inset:0">safe link</a></p>
<iframe src="javascript:parent.__hostile='iframe'"></iframe><iframe srcdoc="&lt;script&gt;parent.__hostile=1&lt;/script&gt;"></iframe>
<form action="https://evil.example/"><input name="q" autofocus onfocus="window.__hostile='focus'"><button formaction="javascript:alert(1)">Go</button></form>
<style>* { display: none !important } .article-widget { color: red }</style>
<p style="position:fixed;inset:0;background:red" class="aw-injected" id="aw-injected">Styled paragraph</p>
<svg onload="window.__hostile='svg'"><circle r="5"/><script>window.__hostile='svg-script'</script></svg>
<figure class="wp-block-image"><img src="javascript:alert(1)" srcset="javascript:alert(2) 2x" alt="bad image"><figcaption>Caption<script>window.__hostile='caption'</script></figcaption></figure>
<figure class="wp-block-image"><img src="data:image/svg+xml,%3Csvg%20onload=alert(1)%3E" alt="data image"></figure>
<object data="x.swf"></object><embed src="x.swf">
<blockquote><p>Quoted</p><cite><a href="javascript:alert(3)">who</a></cite></blockquote>
<meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/"><link rel="stylesheet" href="https://evil.example/x.css">
<math><mi xlink:href="javascript:alert(4)">maths</mi></math>
<template><img src="x" onerror="window.__hostile='template'"></template>
<noscript><img src="x" onerror="window.__hostile='noscript'"></noscript>
<h2 onclick="window.__hostile='h2'">Heading <img src="x" onerror="window.__hostile='h2img'"></h2>
<ul><li onmouseover="window.__hostile='li'">Item <script>window.__hostile='li-script'</script></li></ul>
<p><a href="data:text/html,%3Cscript%3Ealert(1)%3C/script%3E">data link</a> <a href=" JaVaScRiPt:alert(5)">spaced link</a></p>
<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">javascript:alert(6)</div></figure>
<p>The end.</p>
HTML
]);

$application = WP_Application_Passwords::create_new_application_password($admin, ['name' => 'widget tests']);
if (is_wp_error($application)) $fail('application password', $application);

echo json_encode(['posts' => ['blocks' => $blocks, 'long' => $long, 'closed' => $closed, 'members' => $members,
    'hostile' => $hostile, 'page' => $page], 'featured' => $featured, 'category' => $breaking,
    'admin' => 'admin', 'application_password' => $application[0]]), "\n";
