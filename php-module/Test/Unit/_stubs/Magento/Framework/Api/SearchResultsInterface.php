<?php

// phpcs:ignoreFile -- test double keeps Magento's own (untyped) signatures
// Minimal test double of Magento's Magento\Framework\Api\SearchResultsInterface, used only when Magento is not installed.

namespace Magento\Framework\Api;

interface SearchResultsInterface
{
    public function getItems();

    public function setItems(array $items);

    public function getSearchCriteria();

    public function setSearchCriteria(SearchCriteriaInterface $searchCriteria);

    public function getTotalCount();

    public function setTotalCount($totalCount);
}
