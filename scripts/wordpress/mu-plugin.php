<?php
/*
 * Plugin Name: Article widget tests
 * Description: What a publisher enables for the article widget's comment form: anonymous
 * comments through the REST API. The post with the slug "members-only" keeps WordPress's
 * default (a login is required), so both answers can be tested on one site.
 */
add_filter('rest_allow_anonymous_comments', function ($allow, $request) {
    $post = get_post((int) $request['post']);
    return !($post && $post->post_name === 'members-only');
}, 10, 2);
