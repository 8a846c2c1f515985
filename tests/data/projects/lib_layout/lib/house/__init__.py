from langchain_core.tools import tool as house_tool
