<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Api\Filter, used only when Magento is not installed.

namespace Magento\Framework\Api;

class Filter
{
    private $field = null;
    private $value = null;
    private $conditionType = null;

    public function getField()
    {
        return $this->field;
    }

    public function setField($field)
    {
        $this->field = $field;
        return $this;
    }

    public function getValue()
    {
        return $this->value;
    }

    public function setValue($value)
    {
        $this->value = $value;
        return $this;
    }

    public function getConditionType()
    {
        return $this->conditionType;
    }

    public function setConditionType($conditionType)
    {
        $this->conditionType = $conditionType;
        return $this;
    }
}
