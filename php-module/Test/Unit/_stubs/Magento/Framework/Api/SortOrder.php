<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Api\SortOrder, used only when Magento is not installed.

namespace Magento\Framework\Api;

class SortOrder
{
    public const SORT_ASC = 'ASC';
    public const SORT_DESC = 'DESC';

    private $field = null;
    private $direction = null;

    public function __construct(array $data = [])
    {
        $this->field = $data['field'] ?? null;
        $this->direction = $data['direction'] ?? null;
    }

    public function getField()
    {
        return $this->field;
    }

    public function getDirection()
    {
        return $this->direction;
    }
}
