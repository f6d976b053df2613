<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\App\CacheInterface, used only when Magento is not installed.

namespace Magento\Framework\App;

interface CacheInterface
{
    public function getFrontend();

    public function load($identifier);

    public function save($data, $identifier, $tags = [], $lifeTime = null);

    public function remove($identifier);

    public function clean($tags = []);
}
