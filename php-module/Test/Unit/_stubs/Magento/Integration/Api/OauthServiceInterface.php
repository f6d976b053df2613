<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Integration\Api\OauthServiceInterface, used only when Magento is not installed.

namespace Magento\Integration\Api;

interface OauthServiceInterface
{
    public function createAccessToken($consumerId, $clearExistingToken = false);
}
