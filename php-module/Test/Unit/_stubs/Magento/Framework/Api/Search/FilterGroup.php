<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Api\Search\FilterGroup, used only when Magento is not installed.

namespace Magento\Framework\Api\Search;

class FilterGroup
{
    private ?array $filters = null;

    public function getFilters()
    {
        return $this->filters;
    }

    public function setFilters(?array $filters = null)
    {
        $this->filters = $filters;
        return $this;
    }
}
